// The two kinds of metric the hot path updates: a counter and a latency histogram. Both are plain
// relaxed atomics (a check is sub-microsecond; a metric must cost a few nanoseconds, no lock).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace piotd::daemon {

// Label name/value pairs, in the order they are written.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
public:
    void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

// Durations in nanoseconds in, seconds out (Prometheus' base unit). Buckets are upper bounds in
// nanoseconds, ascending; the +Inf bucket is implicit.
class Histogram {
public:
    explicit Histogram(std::span<const std::uint64_t> upper_bounds_ns);

    void observe_ns(std::uint64_t ns) {
        buckets_[bucket_of(ns)].fetch_add(1, std::memory_order_relaxed);
        sum_ns_.fetch_add(ns, std::memory_order_relaxed);
    }
    // Many observations at once (a batch counted locally first): `counts` per bucket, +Inf last.
    void add(std::span<const std::uint64_t> counts, std::uint64_t sum_ns) {
        for (std::size_t i = 0; i < counts.size() && i <= bounds_.size(); ++i) {
            if (counts[i] != 0) buckets_[i].fetch_add(counts[i], std::memory_order_relaxed);
        }
        sum_ns_.fetch_add(sum_ns, std::memory_order_relaxed);
    }
    std::size_t bucket_of(std::uint64_t ns) const {
        std::size_t i = 0;
        while (i < bounds_.size() && ns > bounds_[i]) ++i;
        return i;
    }

    const std::vector<std::uint64_t>& upper_bounds_ns() const { return bounds_; }
    // Per-bucket (not cumulative) counts; the last one is the +Inf bucket.
    std::vector<std::uint64_t> bucket_counts() const;
    std::uint64_t sum_ns() const { return sum_ns_.load(std::memory_order_relaxed); }

private:
    std::vector<std::uint64_t> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
    std::atomic<std::uint64_t> sum_ns_{0};
};

// Latency buckets from a sub-microsecond LMDB lookup to a slow online check.
std::span<const std::uint64_t> check_latency_buckets_ns();

}  // namespace piotd::daemon
