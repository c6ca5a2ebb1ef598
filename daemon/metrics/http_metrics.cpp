#include "daemon/metrics/http_metrics.hpp"

#include <algorithm>

namespace piotd::daemon {

namespace {

// Statuses piotd answers, each with its own label value; anything else is counted by class.
constexpr std::array<unsigned, 19> kStatuses = {200, 201, 202, 204, 400, 401, 403, 404, 405, 409,
                                                410, 413, 422, 429, 431, 500, 502, 503, 504};
static_assert(kStatuses.size() + 5 <= HttpMetrics::kStatusSlots);

std::size_t status_slot(unsigned status) {
    const auto it = std::find(kStatuses.begin(), kStatuses.end(), status);
    if (it != kStatuses.end()) return static_cast<std::size_t>(it - kStatuses.begin());
    const unsigned klass = std::clamp(status / 100, 1u, 5u);  // 1xx … 5xx
    return kStatuses.size() + klass - 1;
}

std::string slot_status(std::size_t slot) {
    if (slot < kStatuses.size()) return std::to_string(kStatuses[slot]);
    return std::to_string(slot - kStatuses.size() + 1) + "xx";
}

}  // namespace

HttpMetrics::HttpMetrics(Router& router, MetricsRegistry& registry)
    : router_(router), slots_(std::make_unique<Slot[]>(kCpuSlots * kSlotsPerCpu)) {
    router_.set_observer(this);
    registry.add_collector([this](std::vector<MetricSample>& out) { collect(out); });
}

HttpMetrics::~HttpMetrics() {
    router_.set_observer(nullptr);
}

void HttpMetrics::on_answer(std::size_t route_index, unsigned status) {
    std::size_t slot = route_index;
    if (route_index == kUnmatched) {
        slot = kMaxRoutes + 1;
    } else if (route_index >= kMaxRoutes) {
        slot = kMaxRoutes;
    }
    slots_[cpu_slot() * kSlotsPerCpu + slot].by_status[status_slot(status)].fetch_add(
        1, std::memory_order_relaxed);
}

void HttpMetrics::collect(std::vector<MetricSample>& out) const {
    const std::vector<Router::RouteLabel> routes = router_.route_labels();
    for (std::size_t slot = 0; slot < kMaxRoutes + 2; ++slot) {
        std::string route = "unmatched";
        std::string method = "any";
        if (slot < kMaxRoutes) {
            if (slot >= routes.size()) continue;
            route = routes[slot].pattern;
            method = routes[slot].method;
        } else if (slot == kMaxRoutes) {
            route = "other";
        }
        for (std::size_t s = 0; s < kStatusSlots; ++s) {
            std::uint64_t n = 0;
            for (std::size_t cpu = 0; cpu < kCpuSlots; ++cpu) {
                n += slots_[cpu * kSlotsPerCpu + slot].by_status[s].load(std::memory_order_relaxed);
            }
            if (n == 0) continue;
            out.push_back({"piotd_http_requests_total",
                           "HTTP answers by route pattern and status",
                           MetricType::counter,
                           {{"route", route}, {"method", method}, {"status", slot_status(s)}},
                           static_cast<double>(n)});
        }
    }
}

}  // namespace piotd::daemon
