// Faults the fake upstream injects into its replication answers, set by POST /control/fault:
//   {"mode":"none"|"slow"|"status"|"drop"|"garbage"|"truncate", "status":500, "delay_ms":100,
//    "after_bytes":0, "count":-1, "paths":"snapshot"|"changes"|"state"|"all" (or a comma list),
//    "retry_after_s":1}
// slow: wait delay_ms before each chunk / answer; status: answer `status` with a JSON error
// (with Retry-After: retry_after_s when it is 429 or 503);
// drop: close the connection after `after_bytes` bytes of body; garbage: 200 with malformed
// JSON (state, changes) or non-JSON lines after `after_bytes` (snapshot); truncate: end the
// snapshot cleanly without its trailer (after the last whole line within `after_bytes`, when
// set), or cut a JSON answer in half. `count` requests are affected (-1: until cleared).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace piotd::fakes {

enum class FaultMode : std::uint8_t { none, slow, status, drop, garbage, truncate };

enum class Endpoint : std::uint8_t { state, snapshot, changes };

struct Fault {
    FaultMode mode = FaultMode::none;
    unsigned status = 500;
    std::chrono::milliseconds delay{100};
    std::uint64_t after_bytes = 0;
    std::int64_t count = -1;
    unsigned paths = 0b111;  // bit per Endpoint
    unsigned retry_after_s = 1;
};

std::string_view fault_mode_name(FaultMode mode);

struct FaultParse {
    bool ok = false;
    Fault fault;
    std::string error;
};

FaultParse parse_fault(std::string_view json);

class FaultPlan {
public:
    void set(const Fault& fault);
    // The fault this request of `endpoint` must suffer (mode none for most), counted against
    // the fault's `count`.
    Fault take(Endpoint endpoint);
    std::string to_json() const;  // the current fault and how many requests it still affects

private:
    mutable std::mutex mutex_;
    Fault fault_;
};

}  // namespace piotd::fakes
