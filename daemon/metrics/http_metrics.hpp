// piotd_http_requests_total{route,method,status}: one relaxed increment per answer, labelled by
// the route pattern the router matched (unmatched paths share route="unmatched"), so the label
// set stays bounded whatever paths clients send.
#pragma once

#include <array>
#include <atomic>
#include <memory>

#include "daemon/cpu_slot.hpp"
#include "daemon/http/route_observer.hpp"
#include "daemon/http/router.hpp"
#include "daemon/metrics/metrics_registry.hpp"

namespace piotd::daemon {

class HttpMetrics : public RouteObserver {
public:
    // Observes `router` and reports through `registry`; both must outlive this object.
    HttpMetrics(Router& router, MetricsRegistry& registry);
    ~HttpMetrics() override;

    void on_answer(std::size_t route_index, unsigned status) override;

    static constexpr std::size_t kMaxRoutes = 128;  // more routes share the "other" slot
    static constexpr std::size_t kStatusSlots = 24;

private:
    // 24 counts fill three cache lines; the routes of one CPU slot (cpu_slot.hpp) follow each
    // other, so two cores never write the same line.
    struct alignas(64) Slot {
        std::array<std::atomic<std::uint64_t>, kStatusSlots> by_status{};
    };
    static constexpr std::size_t kSlotsPerCpu = kMaxRoutes + 2;
    void collect(std::vector<MetricSample>& out) const;

    Router& router_;
    // Per CPU slot: kMaxRoutes routes, then "other", then "unmatched".
    std::unique_ptr<Slot[]> slots_;
};

}  // namespace piotd::daemon
