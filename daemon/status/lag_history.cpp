#include "daemon/status/lag_history.hpp"

#include <algorithm>

namespace piotd::daemon {

LagHistory::LagHistory(std::size_t capacity, std::int64_t interval_ms)
    : capacity_(std::max<std::size_t>(capacity, 1)), interval_ms_(interval_ms) {
    for (auto& ring : rings_) ring.resize(capacity_);
}

void LagHistory::maybe_sample(
    std::int64_t now_ms,
    const std::array<std::optional<std::int64_t>, storage::kAllLists.size()>& lag) {
    std::lock_guard lock(mutex_);
    if (size_ > 0 && now_ms - last_ms_ < interval_ms_) return;
    last_ms_ = now_ms;
    for (std::size_t l = 0; l < rings_.size(); ++l) rings_[l][next_] = LagSample{now_ms, lag[l]};
    next_ = (next_ + 1) % capacity_;
    size_ = std::min(size_ + 1, capacity_);
}

std::vector<LagSample> LagHistory::samples(storage::ListName list) const {
    std::lock_guard lock(mutex_);
    const auto& ring = rings_[static_cast<std::size_t>(list)];
    std::vector<LagSample> out;
    out.reserve(size_);
    const std::size_t start = (next_ + capacity_ - size_) % capacity_;
    for (std::size_t i = 0; i < size_; ++i) out.push_back(ring[(start + i) % capacity_]);
    return out;
}

}  // namespace piotd::daemon
