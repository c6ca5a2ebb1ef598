// The local module's state machine (lm-api.md §3.1, §3.2):
//   not_configured -> initialization (after init, until every required list is loaded)
//   -> ready -> sync_error (72 h after lastSync; checks answer 4050) -> ready (next sync).
#pragma once

#include <cstdint>
#include <string_view>

namespace piotd::protocol {

enum class LmStatus : std::uint8_t { not_configured, initialization, ready, sync_error };

inline constexpr std::int64_t kSyncErrorAfterMs = 72LL * 3600 * 1000;

struct LmStatusInputs {
    bool configured = false;    // a token was given by init (or demo / an upstream piotd)
    bool lists_loaded = false;  // every required list has had a full snapshot
    std::int64_t last_sync_ms = 0;
};

LmStatus evaluate_lm_status(const LmStatusInputs& inputs, std::int64_t now_ms);

// "not_configured", "initialization", "ready", "sync_error".
std::string_view lm_status_name(LmStatus status);

}  // namespace piotd::protocol
