// The True API client of permissive mode (lm-api.md §6): finds the CDN hosts (cdn/info, then
// health/check on each), keeps them in a HostSelector, and runs codes/check against the best host
// with failover inside a deadline. Discovery runs on a thread of its own; a check runs
// asynchronously on the executor it is given (the HTTP I/O thread that took the request), so many
// checks wait on the network at once, none blocks a thread, and none pays two thread hand-offs.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon/clock.hpp"
#include "daemon/replication/upstream_url.hpp"
#include "daemon/status/upstream_health.hpp"
#include "daemon/trueapi/host_selector.hpp"
#include "daemon/trueapi/http_exchange.hpp"
#include "protocol/trueapi/true_api_check.hpp"

namespace piotd::daemon {

struct TrueApiOptions {
    std::string discovery_url;  // --true-api; empty: no online checks
    std::string ca_file;        // --ca-file: an extra CA for TLS
    std::chrono::milliseconds discovery_timeout{5000};
    std::chrono::milliseconds health_timeout{2000};
    // Every exchange with cdn/info and the CDN hosts is recorded here (status page, metrics):
    // kinds "discovery", "network", "http", "protocol". Null: not recorded.
    UpstreamHealth* health = nullptr;
};

// What an online check came to. `ok` false: the check could not be made (no host, every host
// failed, the deadline passed, the answer was not usable); `failure` says why.
struct OnlineCheck {
    bool ok = false;
    std::string failure;
    std::string host;  // the host that answered
    std::string body;  // the raw answer (the per-code raw_json views point into answer)
    protocol::TrueApiCheckAnswer answer;
    // Time spent in exchanges with CDN hosts (every attempt, failed ones included): what the
    // check waited for the True API. The rest of a check's time is piotd's own.
    std::chrono::steady_clock::duration upstream_time{};
};

class TrueApiClient {
public:
    // `token` gives the X-API-KEY at the time of each request (it may be set by /init later).
    TrueApiClient(TrueApiOptions options, const Clock& clock, std::function<std::string()> token);
    ~TrueApiClient();
    TrueApiClient(const TrueApiClient&) = delete;
    TrueApiClient& operator=(const TrueApiClient&) = delete;

    void start();
    // Stops the refresh thread (a refresh under way is dropped); later check() calls complete
    // at once with "stopping". Checks under way finish on their own executors.
    void stop();

    bool enabled() const { return enabled_; }
    boost::asio::io_context& io() { return io_; }

    // codes/check for `codes` (full КМ), at the latest at `deadline`. Runs asynchronously on
    // `executor` (the HTTP connection's own I/O thread: no thread hop) and calls `done` there;
    // a null executor means the client's own thread.
    void check(boost::asio::any_io_executor executor, std::vector<std::string> codes,
               std::string fiscal_drive_number, std::chrono::steady_clock::time_point deadline,
               std::function<void(OnlineCheck)> done);

    // A copy of the host list, for GET /api/v1/trueapi/hosts.
    struct HostsView {
        std::vector<CdnHost> hosts;
        std::int64_t last_refresh_ms = 0;
        std::int64_t next_refresh_ms = 0;
        std::string last_refresh_error;
    };
    HostsView hosts() const;

private:
    struct Attempt;
    void tick();
    void refresh();
    void finish_refresh(std::vector<CdnHost> hosts, std::string error);
    void try_next(std::shared_ptr<Attempt> attempt);
    void send(std::shared_ptr<Attempt> attempt);
    const UpstreamUrl* host_url(const std::string& host);
    void record_ok();
    void record_error(std::string_view kind, const std::string& message);

    TrueApiOptions options_;
    const Clock& clock_;
    std::function<std::string()> token_;
    bool enabled_ = false;
    UpstreamUrl discovery_;
    boost::asio::io_context io_{1};
    boost::asio::ssl::context tls_;  // SSL_CTX: shared by every thread
    boost::asio::steady_timer tick_timer_;
    std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::thread thread_;
    bool refreshing_ = false;
    bool stopping_ = false;  // on the client's thread
    std::mutex stop_mutex_;
    bool stopped_ = false;  // check() completes at once, on the caller's thread

    mutable std::mutex mutex_;  // guards selector_, last_error_ and parsed_hosts_ (many threads)
    HostSelector selector_;
    std::string last_error_;
    std::map<std::string, UpstreamUrl> parsed_hosts_;
};

}  // namespace piotd::daemon
