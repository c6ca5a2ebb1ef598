// The two kinds of metric the hot path updates: a counter and a latency histogram. Both are
// relaxed atomics, one set per CPU slot (cpu_slot.hpp): a check is sub-microsecond, so a metric
// must cost a few nanoseconds, with no lock and no cache line shared between cores.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "daemon/cpu_slot.hpp"

namespace piotd::daemon {

// Label name/value pairs, in the order they are written.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
public:
    void inc(std::uint64_t n = 1) {
        slots_[cpu_slot()].value.fetch_add(n, std::memory_order_relaxed);
    }
    std::uint64_t value() const {
        std::uint64_t total = 0;
        for (const Slot& slot : slots_) total += slot.value.load(std::memory_order_relaxed);
        return total;
    }

private:
    struct alignas(64) Slot {
        std::atomic<std::uint64_t> value{0};
    };
    Slot slots_[kCpuSlots];
};

// Durations in nanoseconds in, seconds out (Prometheus' base unit). Buckets are upper bounds in
// nanoseconds, ascending; the +Inf bucket is implicit.
class Histogram {
public:
    explicit Histogram(std::span<const std::uint64_t> upper_bounds_ns);

    void observe_ns(std::uint64_t ns) {
        std::atomic<std::uint64_t>* slot = slot_values(cpu_slot());
        slot[bucket_of(ns)].fetch_add(1, std::memory_order_relaxed);
        slot[sum_index()].fetch_add(ns, std::memory_order_relaxed);
    }
    // Many observations at once (a batch counted locally first): `counts` per bucket, +Inf last.
    void add(std::span<const std::uint64_t> counts, std::uint64_t sum_ns) {
        std::atomic<std::uint64_t>* slot = slot_values(cpu_slot());
        for (std::size_t i = 0; i < counts.size() && i <= bounds_.size(); ++i) {
            if (counts[i] != 0) slot[i].fetch_add(counts[i], std::memory_order_relaxed);
        }
        slot[sum_index()].fetch_add(sum_ns, std::memory_order_relaxed);
    }
    std::size_t bucket_of(std::uint64_t ns) const {
        std::size_t i = 0;
        while (i < bounds_.size() && ns > bounds_[i]) ++i;
        return i;
    }

    const std::vector<std::uint64_t>& upper_bounds_ns() const { return bounds_; }
    // Per-bucket (not cumulative) counts; the last one is the +Inf bucket.
    std::vector<std::uint64_t> bucket_counts() const;
    std::uint64_t sum_ns() const;

private:
    struct CacheLineDelete {
        void operator()(std::atomic<std::uint64_t>* values) const;
    };
    std::size_t sum_index() const { return bounds_.size() + 1; }
    std::atomic<std::uint64_t>* slot_values(std::size_t slot) const {
        return values_.get() + slot * slot_stride_;
    }

    std::vector<std::uint64_t> bounds_;
    // A slot holds the buckets (+Inf last) and then the sum, padded to whole cache lines; the
    // array starts on a cache line, so no two slots share one.
    std::size_t slot_stride_;
    std::unique_ptr<std::atomic<std::uint64_t>[], CacheLineDelete> values_;
};

// Latency buckets from a sub-microsecond LMDB lookup to a slow online check.
std::span<const std::uint64_t> check_latency_buckets_ns();

}  // namespace piotd::daemon
