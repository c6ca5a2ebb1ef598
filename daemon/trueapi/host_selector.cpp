#include "daemon/trueapi/host_selector.hpp"

#include <algorithm>

namespace piotd::daemon {

void HostSelector::set_hosts(std::vector<CdnHost> hosts, std::int64_t now_ms,
                             std::int64_t jitter_ms) {
    // Unmeasured (0) hosts go last, as S6 does; equal times keep the CDN's own order.
    std::stable_sort(hosts.begin(), hosts.end(), [](const CdnHost& a, const CdnHost& b) {
        const bool a_unmeasured = a.avg_time_ms <= 0;
        const bool b_unmeasured = b.avg_time_ms <= 0;
        if (a_unmeasured != b_unmeasured) return b_unmeasured;
        return a.avg_time_ms < b.avg_time_ms;
    });
    for (CdnHost& host : hosts) {
        // A host blocked before the refresh stays blocked: the refresh does not forgive it.
        for (const CdnHost& old : hosts_) {
            if (old.url == host.url) {
                host.blocked_until_ms = std::max(host.blocked_until_ms, old.blocked_until_ms);
                host.failures = old.failures;
            }
        }
        if (!host.healthy)
            host.blocked_until_ms = std::max(host.blocked_until_ms, now_ms + kHostBlockMs);
    }
    hosts_ = std::move(hosts);
    last_refresh_ms_ = now_ms;
    next_refresh_ms_ = now_ms + kRefreshMinMs +
                       std::clamp<std::int64_t>(jitter_ms, 0, kRefreshMaxMs - kRefreshMinMs);
}

void HostSelector::refresh_failed(std::int64_t now_ms) {
    // Never later than the 7 h limit after the last good refresh, and not in a tight loop.
    next_refresh_ms_ = now_ms + kRefreshRetryMs;
}

std::optional<std::string> HostSelector::pick(std::int64_t now_ms,
                                              const std::vector<std::string>& tried) {
    const auto untried = [&](const CdnHost& host) {
        return std::find(tried.begin(), tried.end(), host.url) == tried.end();
    };
    for (const CdnHost& host : hosts_) {
        if (host.blocked_until_ms <= now_ms && untried(host)) return host.url;
    }
    const bool all_blocked = std::none_of(hosts_.begin(), hosts_.end(), [&](const CdnHost& host) {
        return host.blocked_until_ms <= now_ms;
    });
    if (!all_blocked) return std::nullopt;  // the unblocked ones were all tried already
    for (CdnHost& host : hosts_) host.blocked_until_ms = 0;
    for (const CdnHost& host : hosts_) {
        if (untried(host)) return host.url;
    }
    return std::nullopt;
}

void HostSelector::block(const std::string& url, std::int64_t now_ms) {
    for (CdnHost& host : hosts_) {
        if (host.url == url) {
            host.blocked_until_ms = now_ms + kHostBlockMs;
            ++host.failures;
        }
    }
}

}  // namespace piotd::daemon
