// Wall-clock time in epoch milliseconds, the unit of every LM timestamp.
//
// Tests move time without waiting 72 hours: when PIOTD_TEST_CLOCK_FILE names a file, its content
// (a signed number of milliseconds) is added to the system time, re-read on every call so a
// running daemon can be moved forward. Production never sets it; the cost is then one branch.
#pragma once

#include <cstdint>
#include <string>

namespace piotd::daemon {

class Clock {
public:
    Clock();  // reads PIOTD_TEST_CLOCK_FILE once
    std::int64_t now_ms() const;

private:
    std::string offset_file_;
};

}  // namespace piotd::daemon
