// Which CDN host the next True API check goes to (lm-api.md §6.3), as a pure state machine: time
// comes in as an argument (epoch ms from the daemon's Clock, so tests can move it), nothing here
// does I/O.
//   * the list is refreshed no sooner than 6 h and no later than 7 h after the last refresh;
//   * hosts are tried in order of their health-check avgTimeMs, 0 ("not measured") last;
//   * a host that failed is blocked for 15 minutes; when every host is blocked, the blocks are
//     lifted and the order starts over.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace piotd::daemon {

inline constexpr std::int64_t kHostBlockMs = 15 * 60 * 1000;
inline constexpr std::int64_t kRefreshMinMs = 6LL * 3600 * 1000;
inline constexpr std::int64_t kRefreshMaxMs = 7LL * 3600 * 1000;
// After a refresh that failed (no list), try again this soon rather than in 6 hours.
inline constexpr std::int64_t kRefreshRetryMs = 30 * 1000;

struct CdnHost {
    std::string url;               // "https://cdn01.crpt.ru"
    std::int64_t avg_time_ms = 0;  // from health/check; 0 = not measured
    bool healthy = true;           // health/check answered code 0
    std::int64_t blocked_until_ms = 0;
    std::uint64_t failures = 0;  // blocks so far, for /trueapi/hosts
};

class HostSelector {
public:
    // A refresh finished with these hosts (health already measured). Hosts whose health check
    // failed are kept but blocked for 15 minutes. `jitter_ms` in [0, 1 h] places the next
    // refresh inside the 6–7 h window.
    void set_hosts(std::vector<CdnHost> hosts, std::int64_t now_ms, std::int64_t jitter_ms);
    // A refresh failed: the old list stays (if any), another attempt soon.
    void refresh_failed(std::int64_t now_ms);

    bool refresh_due(std::int64_t now_ms) const { return now_ms >= next_refresh_ms_; }
    std::int64_t next_refresh_ms() const { return next_refresh_ms_; }
    std::int64_t last_refresh_ms() const { return last_refresh_ms_; }

    // The best host not blocked and not already tried for this check; when every host is
    // blocked, lifts the blocks first. Nothing when the list is empty or all were tried.
    std::optional<std::string> pick(std::int64_t now_ms, const std::vector<std::string>& tried);
    // The host failed (after its one retry): blocked for 15 minutes.
    void block(const std::string& url, std::int64_t now_ms);

    const std::vector<CdnHost>& hosts() const { return hosts_; }
    bool empty() const { return hosts_.empty(); }

private:
    std::vector<CdnHost> hosts_;  // kept in try order
    std::int64_t last_refresh_ms_ = 0;
    std::int64_t next_refresh_ms_ = 0;  // 0: refresh at once
};

}  // namespace piotd::daemon
