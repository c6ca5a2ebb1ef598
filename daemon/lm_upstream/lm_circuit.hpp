// The circuit in front of the local module: a failing LM must not slow every check. After
// `failures_to_open` consecutive failed checks the circuit opens and checks skip the LM at once
// (piotd's own lists answer, marked with the LM's failure). After a backoff (doubling from
// open_min to open_max, with jitter) it lets one check through as a probe: success closes it, a
// failure opens it again for longer. A good status poll closes it too. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>

#include "daemon/retry_backoff.hpp"

namespace piotd::daemon {

class LmCircuit {
public:
    enum class State : std::uint8_t { closed, open, half_open };

    LmCircuit(unsigned failures_to_open, std::chrono::milliseconds open_min,
              std::chrono::milliseconds open_max);

    // Whether a check may go to the LM at `now_ms`. When the open time is over, the first caller
    // gets true (the probe) and the others false until the probe has reported.
    bool allow(std::int64_t now_ms);
    void record_success();
    void record_failure(std::int64_t now_ms);

    State state() const;
    std::int64_t open_until_ms() const;  // 0 when closed
    std::uint64_t times_opened() const;

private:
    void open(std::int64_t now_ms);

    const unsigned failures_to_open_;
    mutable std::mutex mutex_;
    RetryBackoff backoff_;
    State state_ = State::closed;
    unsigned consecutive_failures_ = 0;
    std::int64_t open_until_ms_ = 0;
    bool probing_ = false;
    std::uint64_t times_opened_ = 0;
};

std::string_view lm_circuit_state_name(LmCircuit::State state);

}  // namespace piotd::daemon
