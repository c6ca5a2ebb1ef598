// Waiting in integration tests for what another process reaches in its own time (a delivery
// through the outbox, a replication round, a status change).
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace piotd::test {

// Polls `condition` every 20 ms until it holds or `limit` has passed; true if it held.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return condition();
}

}  // namespace piotd::test
