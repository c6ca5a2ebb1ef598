#include "daemon/status/upstream_health.hpp"

namespace piotd::daemon {

UpstreamHealth::UpstreamHealth(std::string name, std::string url, MetricsRegistry& registry)
    : registry_(registry) {
    state_.name = std::move(name);
    state_.url = std::move(url);
}

void UpstreamHealth::record_ok(std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    state_.last_ok_ms = now_ms;
    state_.consecutive_errors = 0;
}

void UpstreamHealth::record_error(std::string_view kind, std::string_view message,
                                  std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    state_.last_error_ms = now_ms;
    state_.last_error.assign(message.substr(0, 500));
    ++state_.consecutive_errors;
    ++state_.errors_by_kind[std::string(kind)];
    auto it = counters_.find(kind);
    if (it == counters_.end()) {
        Counter& counter = registry_.counter(
            "piotd_upstream_errors_total", "failed exchanges with an upstream, by kind",
            {{"upstream", state_.name}, {"kind", std::string(kind)}});
        it = counters_.emplace(std::string(kind), &counter).first;
    }
    it->second->inc();
}

UpstreamHealthSnapshot UpstreamHealth::snapshot() const {
    std::lock_guard lock(mutex_);
    return state_;
}

}  // namespace piotd::daemon
