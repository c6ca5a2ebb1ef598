// piotd_checks_total{source,verdict} and piotd_check_duration_seconds{source,verdict}. Each source
// is registered once (a mutex, at start-up); after that an event costs three relaxed increments.
// Plus piotd_check_overhead_seconds: per request that waited for the True API, the time piotd
// spent on it besides that wait (parsing, decision, tag 1260, the answer's JSON).
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/checks/check_event.hpp"
#include "daemon/metrics/metrics_registry.hpp"

namespace piotd::daemon {

class CheckMetrics : public CheckObserver {
public:
    explicit CheckMetrics(MetricsRegistry& registry);

    // Makes a source known up front (so its zero counts show before the first check).
    void add_source(std::string_view source);
    void on_checks(std::span<const CheckEvent> events) noexcept override;

private:
    struct Source {
        std::string name;
        std::array<Counter*, kCheckVerdictCount> counts{};
        std::array<Histogram*, kCheckVerdictCount> durations{};
    };
    const Source* find(std::string_view source) const noexcept;

    MetricsRegistry& registry_;
    Histogram* overhead_ = nullptr;
    // Sources are few and fixed at start-up; lookups after that read without a lock because
    // add_source is only called before the server starts (documented contract).
    std::vector<std::unique_ptr<Source>> sources_;
    std::mutex add_mutex_;
};

// Fans one event batch out to several observers (metrics, the recent ring, the journal).
class CheckObservers : public CheckObserver {
public:
    void add(CheckObserver& observer) { observers_.push_back(&observer); }
    void on_checks(std::span<const CheckEvent> events) noexcept override {
        for (CheckObserver* observer : observers_) observer->on_checks(events);
    }

private:
    std::vector<CheckObserver*> observers_;
};

}  // namespace piotd::daemon
