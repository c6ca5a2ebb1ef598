#include "daemon/status/lm_sync_clock.hpp"

#include "daemon/lm_upstream/lm_mirror.hpp"

namespace piotd::daemon {

LmSyncClock lm_sync_clock(std::optional<std::int64_t> last_sync_ms, std::int64_t now_ms) {
    LmSyncClock clock;
    if (!last_sync_ms) return clock;
    clock.age_ms = now_ms - *last_sync_ms;
    clock.left_ms = *last_sync_ms + kLmSyncLimitMs - now_ms;
    clock.level = clock.left_ms <= 0                  ? LmSyncClock::Level::passed
                  : clock.left_ms < kLmSyncWarnLeftMs ? LmSyncClock::Level::warning
                                                      : LmSyncClock::Level::ok;
    return clock;
}

std::string lm_sync_clock_text(const LmSyncClock& clock) {
    switch (clock.level) {
        case LmSyncClock::Level::unknown:
            break;
        case LmSyncClock::Level::passed:
            return "72 h passed " + format_hours_minutes(-clock.left_ms) + " ago";
        case LmSyncClock::Level::ok:
        case LmSyncClock::Level::warning:
            return "sync_error in " + format_hours_minutes(clock.left_ms);
    }
    return "lastSync unknown";
}

std::string format_hours_minutes(std::int64_t ms) {
    if (ms < 0) ms = 0;
    const std::int64_t minutes = ms / 60'000;
    if (minutes < 60) return std::to_string(minutes) + " min";
    return std::to_string(minutes / 60) + " h " + std::to_string(minutes % 60) + " min";
}

}  // namespace piotd::daemon
