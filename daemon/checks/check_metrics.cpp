#include "daemon/checks/check_metrics.hpp"

#include <array>
#include <span>

namespace piotd::daemon {

namespace {

// Fine steps around what a request costs piotd itself: tens of microseconds.
std::span<const std::uint64_t> overhead_buckets_ns() {
    static constexpr std::array<std::uint64_t, 13> kBuckets = {
        5'000,   10'000,  20'000,  30'000,    40'000,     50'000,      75'000,
        100'000, 150'000, 250'000, 1'000'000, 10'000'000, 100'000'000,
    };
    return kBuckets;
}

}  // namespace

CheckMetrics::CheckMetrics(MetricsRegistry& registry)
    : registry_(registry),
      overhead_(&registry.histogram(
          "piotd_check_overhead_seconds",
          "per request that waited for the True API: time piotd spent on it besides the wait", {},
          overhead_buckets_ns())) {
    add_source("local");
}

void CheckMetrics::add_source(std::string_view name) {
    std::lock_guard lock(add_mutex_);
    if (find(name) != nullptr) return;
    auto source = std::make_unique<Source>();
    source->name = name;
    for (std::size_t v = 0; v < kCheckVerdictCount; ++v) {
        const MetricLabels labels = {
            {"source", source->name},
            {"verdict", std::string(check_verdict_name(static_cast<CheckVerdict>(v)))}};
        source->counts[v] = &registry_.counter("piotd_checks_total",
                                               "codes checked, by source and verdict", labels);
        source->durations[v] = &registry_.histogram("piotd_check_duration_seconds",
                                                    "time to check one code, by source and verdict",
                                                    labels, check_latency_buckets_ns());
    }
    sources_.push_back(std::move(source));
}

const CheckMetrics::Source* CheckMetrics::find(std::string_view source) const noexcept {
    for (const auto& s : sources_) {
        if (s->name == source) return s.get();
    }
    return nullptr;
}

void CheckMetrics::on_checks(std::span<const CheckEvent> events) noexcept {
    // The events of one request share its duration and its wait: one observation per request.
    if (!events.empty() && events.front().upstream_ns > 0 &&
        events.front().duration_ns >= events.front().upstream_ns) {
        overhead_->observe_ns(events.front().duration_ns - events.front().upstream_ns);
    }
    // A batch is counted locally first and added with one atomic per non-empty slot, so a POST
    // of thousands of codes costs a few nanoseconds a code, not a few atomics a code.
    constexpr std::size_t kMaxBuckets = 32;
    struct Tally {
        std::uint64_t count = 0;
        std::uint64_t sum_ns = 0;
        std::array<std::uint64_t, kMaxBuckets> buckets{};
    };
    const auto flush = [](const Source& source, std::array<Tally, kCheckVerdictCount>& tallies) {
        for (std::size_t v = 0; v < kCheckVerdictCount; ++v) {
            Tally& tally = tallies[v];
            if (tally.count == 0) continue;
            source.counts[v]->inc(tally.count);
            source.durations[v]->add(tally.buckets, tally.sum_ns);
            tally = Tally{};
        }
    };
    const Source* source = nullptr;
    if (events.size() < 8) {  // a GET or a small POST: direct atomics beat zeroing the tallies
        for (const CheckEvent& event : events) {
            if (source == nullptr || source->name != event.source) source = find(event.source);
            if (source == nullptr) continue;
            const auto v = static_cast<std::size_t>(event.verdict);
            source->counts[v]->inc();
            source->durations[v]->observe_ns(event.duration_ns);
        }
        return;
    }
    std::array<Tally, kCheckVerdictCount> tallies{};
    for (const CheckEvent& event : events) {
        if (source == nullptr || source->name != event.source) {
            if (source != nullptr) flush(*source, tallies);
            source = find(event.source);
            if (source == nullptr) continue;  // an unregistered source: add_source it at start-up
        }
        const auto v = static_cast<std::size_t>(event.verdict);
        Tally& tally = tallies[v];
        ++tally.count;
        tally.sum_ns += event.duration_ns;
        const std::size_t bucket = source->durations[v]->bucket_of(event.duration_ns);
        if (bucket < kMaxBuckets) ++tally.buckets[bucket];
    }
    if (source != nullptr) flush(*source, tallies);
}

}  // namespace piotd::daemon
