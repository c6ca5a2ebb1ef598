// How talking to one upstream goes (the replication upstream now; True API, the CDN and the local
// module in permissive mode): last success, last error, errors by kind. Updated by the worker
// thread that talks to it, read by the status page; errors are also counted in
// piotd_upstream_errors_total{upstream,kind}.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "daemon/metrics/metrics_registry.hpp"

namespace piotd::daemon {

struct UpstreamHealthSnapshot {
    std::string name;                // "replication", "true_api", …
    std::string url;                 // without credentials
    std::int64_t last_ok_ms = 0;     // 0: never
    std::int64_t last_error_ms = 0;  // 0: never
    std::string last_error;          // may hold upstream text: escape before showing
    std::uint64_t consecutive_errors = 0;
    std::map<std::string, std::uint64_t> errors_by_kind;
};

class UpstreamHealth {
public:
    UpstreamHealth(std::string name, std::string url, MetricsRegistry& registry);

    void record_ok(std::int64_t now_ms);
    // `kind`: a short fixed word ("network", "protocol", "http", "storage", "timeout"…).
    void record_error(std::string_view kind, std::string_view message, std::int64_t now_ms);
    UpstreamHealthSnapshot snapshot() const;

private:
    MetricsRegistry& registry_;
    mutable std::mutex mutex_;
    UpstreamHealthSnapshot state_;
    std::map<std::string, Counter*, std::less<>> counters_;
};

}  // namespace piotd::daemon
