// The local module's 72-hour clock (kLmSyncLimitMs, lm-api.md §3.2) as the operator sees it: the
// status page's card, `piotctl status` and `piotctl doctor` all word it the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace piotd::daemon {

// Under this much time left the status page shows the clock as a warning.
inline constexpr std::int64_t kLmSyncWarnLeftMs = 24LL * 3600 * 1000;

struct LmSyncClock {
    enum class Level : std::uint8_t { unknown, ok, warning, passed };
    Level level = Level::unknown;  // unknown: the LM told no lastSync
    std::int64_t age_ms = 0;       // now − lastSync (negative when the LM's clock is ahead)
    std::int64_t left_ms = 0;      // lastSync + 72 h − now; ≤ 0 once passed
};

LmSyncClock lm_sync_clock(std::optional<std::int64_t> last_sync_ms, std::int64_t now_ms);

// "sync_error in 61 h 12 min", "72 h passed 3 h 5 min ago", "lastSync unknown".
std::string lm_sync_clock_text(const LmSyncClock& clock);

// "61 h 12 min", "45 min" (hours are not folded into days: the rule counts hours).
std::string format_hours_minutes(std::int64_t ms);

}  // namespace piotd::daemon
