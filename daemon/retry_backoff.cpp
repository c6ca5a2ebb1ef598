#include "daemon/retry_backoff.hpp"

#include <algorithm>

namespace piotd::daemon {

RetryBackoff::RetryBackoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
    : min_(std::max(min, std::chrono::milliseconds{1})), max_(std::max(max, min_)), delay_(min_) {}

std::chrono::milliseconds RetryBackoff::jittered(std::chrono::milliseconds delay) {
    std::uniform_int_distribution<std::int64_t> spread(delay.count() / 2, delay.count());
    return std::chrono::milliseconds{spread(random_)};
}

std::chrono::milliseconds RetryBackoff::next() {
    const std::chrono::milliseconds wait = jittered(delay_);
    delay_ = std::min(delay_ * 2, max_);
    return wait;
}

std::chrono::milliseconds RetryBackoff::after(std::uint32_t failures) {
    std::chrono::milliseconds delay = min_;
    for (std::uint32_t i = 1; i < failures && delay < max_; ++i) delay = std::min(delay * 2, max_);
    return jittered(delay);
}

}  // namespace piotd::daemon
