// One code checked, as the check handlers report it: to metrics, to the recent-checks ring of the
// status page, and (once merged) to the check journal.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace piotd::daemon {

enum class CheckVerdict : std::uint8_t { not_blocked, blocked, invalid_code, not_ready, error };
inline constexpr std::size_t kCheckVerdictCount = 5;

// "not_blocked", "blocked", "invalid_code", "not_ready", "error".
std::string_view check_verdict_name(CheckVerdict verdict);

struct CheckEvent {
    std::string_view source;  // "local" (LMDB lists); online sources add their own names
    std::string_view code;    // the КИ, or the raw input when it could not be parsed (hostile)
    CheckVerdict verdict = CheckVerdict::not_blocked;
    std::uint64_t duration_ns = 0;
    std::int64_t time_ms = 0;
    // Of duration_ns, the time spent waiting for the True API (online checks; 0 otherwise).
    std::uint64_t upstream_ns = 0;
};

// Receives the events of one request at once (a POST may carry thousands of codes), on the I/O
// thread: implementations must be quick and must not throw.
class CheckObserver {
public:
    virtual ~CheckObserver() = default;
    virtual void on_checks(std::span<const CheckEvent> events) noexcept = 0;
};

}  // namespace piotd::daemon
