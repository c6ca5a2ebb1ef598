#include "daemon/metrics/metric_types.hpp"

#include <array>

namespace piotd::daemon {

Histogram::Histogram(std::span<const std::uint64_t> upper_bounds_ns)
    : bounds_(upper_bounds_ns.begin(), upper_bounds_ns.end()),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

std::vector<std::uint64_t> Histogram::bucket_counts() const {
    std::vector<std::uint64_t> counts(bounds_.size() + 1);
    for (std::size_t i = 0; i < counts.size(); ++i) {
        counts[i] = buckets_[i].load(std::memory_order_relaxed);
    }
    return counts;
}

std::span<const std::uint64_t> check_latency_buckets_ns() {
    static constexpr std::array<std::uint64_t, 14> kBuckets = {
        250,     500,       1'000,      2'500,       5'000,       10'000,        25'000,
        100'000, 1'000'000, 10'000'000, 100'000'000, 500'000'000, 1'000'000'000, 5'000'000'000,
    };
    return kBuckets;
}

}  // namespace piotd::daemon
