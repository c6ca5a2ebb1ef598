// The monotonic time of the last scheduler tick (CLOCK_MONOTONIC_COARSE), as a steady_clock time
// point, for deadlines of seconds set on every request. It costs a few nanoseconds, where
// steady_clock::now() reads the TSC: 60–90 ns on the VMs piotd was measured on, and an HTTP check
// set two deadlines. It lags steady_clock by at most a tick (1–10 ms) on the same time line:
// libstdc++'s steady_clock is CLOCK_MONOTONIC, of which this is the coarse reading.
#pragma once

#include <time.h>

#include <chrono>

namespace piotd::daemon {

inline std::chrono::steady_clock::time_point coarse_steady_now() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec)));
}

}  // namespace piotd::daemon
