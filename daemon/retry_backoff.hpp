// Exponential backoff with jitter, shared by the workers that talk to an upstream (replication,
// the relay): the delay doubles from `min` up to `max` after each failure, and each wait is drawn
// from [delay/2, delay], so a fleet of tills that lost the store server does not come back in
// lockstep.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace piotd::daemon {

class RetryBackoff {
public:
    RetryBackoff(std::chrono::milliseconds min, std::chrono::milliseconds max);

    // The wait after one more failure (then the delay doubles, up to max).
    std::chrono::milliseconds next();
    // After a success: the next failure waits about `min` again.
    void reset() { delay_ = min_; }
    // The wait after `failures` consecutive failures (1 = the first), for callers that keep
    // the count themselves (the relay persists it per document).
    std::chrono::milliseconds after(std::uint32_t failures);

private:
    std::chrono::milliseconds jittered(std::chrono::milliseconds delay);

    std::chrono::milliseconds min_;
    std::chrono::milliseconds max_;
    std::chrono::milliseconds delay_;
    std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace piotd::daemon
