#include "daemon/clock.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>

namespace piotd::daemon {

Clock::Clock() {
    if (const char* file = std::getenv("PIOTD_TEST_CLOCK_FILE")) offset_file_ = file;
}

std::int64_t Clock::now_ms() const {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    std::int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
    if (!offset_file_.empty()) {
        std::ifstream in(offset_file_);
        long long offset = 0;
        if (in >> offset) ms += offset;
    }
    return ms;
}

}  // namespace piotd::daemon
