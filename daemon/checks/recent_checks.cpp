#include "daemon/checks/recent_checks.hpp"

#include <algorithm>

namespace piotd::daemon {

RecentChecksRing::RecentChecksRing(std::size_t capacity)
    : ring_(std::max<std::size_t>(capacity, 1)) {}

void RecentChecksRing::on_checks(std::span<const CheckEvent> events) noexcept {
    // Only the last `capacity` events of a large batch can stay; skip the rest without copying.
    if (events.size() > ring_.size()) events = events.last(ring_.size());
    std::lock_guard lock(mutex_);
    for (const CheckEvent& event : events) {
        CheckRecord& record = ring_[next_];
        record.time_ms = event.time_ms;
        record.source.assign(event.source);
        record.code.assign(event.code.substr(0, kMaxCodeBytes));
        record.verdict = event.verdict;
        record.duration_ns = event.duration_ns;
        next_ = (next_ + 1) % ring_.size();
        size_ = std::min(size_ + 1, ring_.size());
    }
}

std::vector<CheckRecord> RecentChecksRing::recent_checks(std::size_t limit) const {
    std::lock_guard lock(mutex_);
    const std::size_t n = std::min(limit, size_);
    std::vector<CheckRecord> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(ring_[(next_ + ring_.size() - 1 - i) % ring_.size()]);
    }
    return out;
}

}  // namespace piotd::daemon
