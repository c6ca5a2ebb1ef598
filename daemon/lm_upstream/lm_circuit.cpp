#include "daemon/lm_upstream/lm_circuit.hpp"

namespace piotd::daemon {

LmCircuit::LmCircuit(unsigned failures_to_open, std::chrono::milliseconds open_min,
                     std::chrono::milliseconds open_max)
    : failures_to_open_(failures_to_open == 0 ? 1 : failures_to_open),
      backoff_(open_min, open_max < open_min ? open_min : open_max) {}

bool LmCircuit::allow(std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    switch (state_) {
        case State::closed:
            return true;
        case State::open:
            if (now_ms < open_until_ms_) return false;
            state_ = State::half_open;
            probing_ = true;
            return true;
        case State::half_open:
            // One probe at a time; the others take the fallback until it reports.
            if (probing_) return false;
            probing_ = true;
            return true;
    }
    return true;
}

void LmCircuit::record_success() {
    std::lock_guard lock(mutex_);
    state_ = State::closed;
    consecutive_failures_ = 0;
    open_until_ms_ = 0;
    probing_ = false;
    backoff_.reset();
}

void LmCircuit::record_failure(std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    ++consecutive_failures_;
    if (state_ == State::half_open || consecutive_failures_ >= failures_to_open_) open(now_ms);
}

void LmCircuit::open(std::int64_t now_ms) {
    state_ = State::open;
    probing_ = false;
    open_until_ms_ = now_ms + backoff_.next().count();
    ++times_opened_;
}

LmCircuit::State LmCircuit::state() const {
    std::lock_guard lock(mutex_);
    return state_;
}

std::int64_t LmCircuit::open_until_ms() const {
    std::lock_guard lock(mutex_);
    return state_ == State::closed ? 0 : open_until_ms_;
}

std::uint64_t LmCircuit::times_opened() const {
    std::lock_guard lock(mutex_);
    return times_opened_;
}

std::string_view lm_circuit_state_name(LmCircuit::State state) {
    switch (state) {
        case LmCircuit::State::closed:
            return "closed";
        case LmCircuit::State::open:
            return "open";
        case LmCircuit::State::half_open:
            return "half_open";
    }
    return "closed";
}

}  // namespace piotd::daemon
