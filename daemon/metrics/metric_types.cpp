#include "daemon/metrics/metric_types.hpp"

#include <array>
#include <new>

namespace piotd::daemon {

namespace {

constexpr std::align_val_t kCacheLine{64};

}  // namespace

void Histogram::CacheLineDelete::operator()(std::atomic<std::uint64_t>* values) const {
    ::operator delete[](values, kCacheLine);  // atomics of integers need no destructor call
}

Histogram::Histogram(std::span<const std::uint64_t> upper_bounds_ns)
    : bounds_(upper_bounds_ns.begin(), upper_bounds_ns.end()),
      // The buckets, +Inf and the sum (bounds + 2 values), rounded up to 8 values, a cache line.
      slot_stride_((bounds_.size() + 2 + 7) / 8 * 8) {
    const std::size_t count = kCpuSlots * slot_stride_;
    auto* values = static_cast<std::atomic<std::uint64_t>*>(
        ::operator new[](count * sizeof(std::atomic<std::uint64_t>), kCacheLine));
    for (std::size_t i = 0; i < count; ++i) new (values + i) std::atomic<std::uint64_t>(0);
    values_.reset(values);
}

std::vector<std::uint64_t> Histogram::bucket_counts() const {
    std::vector<std::uint64_t> counts(bounds_.size() + 1);
    for (std::size_t slot = 0; slot < kCpuSlots; ++slot) {
        const std::atomic<std::uint64_t>* values = slot_values(slot);
        for (std::size_t i = 0; i < counts.size(); ++i) {
            counts[i] += values[i].load(std::memory_order_relaxed);
        }
    }
    return counts;
}

std::uint64_t Histogram::sum_ns() const {
    std::uint64_t total = 0;
    for (std::size_t slot = 0; slot < kCpuSlots; ++slot) {
        total += slot_values(slot)[sum_index()].load(std::memory_order_relaxed);
    }
    return total;
}

std::span<const std::uint64_t> check_latency_buckets_ns() {
    static constexpr std::array<std::uint64_t, 14> kBuckets = {
        250,     500,       1'000,      2'500,       5'000,       10'000,        25'000,
        100'000, 1'000'000, 10'000'000, 100'000'000, 500'000'000, 1'000'000'000, 5'000'000'000,
    };
    return kBuckets;
}

}  // namespace piotd::daemon
