// What piotd knows of the local module it stands in front of (docs/local-module.md): the LM's
// last status answer as it sent it, whether it is reachable, and how checks against it go. Shown
// as `localModule` in GET /api/v1/status, as a card on the status page, in /metrics and by
// `piotctl status` / `doctor`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/lm/lm_client_answer.hpp"

namespace piotd::daemon {

struct LmMirror {
    std::string url;                                 // without credentials
    std::string api_version;                         // "1", "2"; empty until detected
    bool reachable = false;                          // the last status poll got an answer
    std::optional<protocol::LmClientStatus> status;  // the last status answer that parsed
    std::string last_error;                          // the last poll's or check's failure
    std::int64_t checked_at_ms = 0;                  // the last status poll; 0: never
    std::int64_t last_ok_ms = 0;                     // the last good exchange; 0: never
    std::string circuit = "closed";                  // closed, open, half_open
    std::int64_t circuit_open_until_ms = 0;
    std::uint64_t circuit_opened = 0;  // times
    // Checks: answered by the LM; failed at the LM (network, HTTP, garbage, not ready); skipped
    // without asking it (circuit open, status not ready).
    std::uint64_t checks_answered = 0;
    std::uint64_t checks_failed = 0;
    std::uint64_t checks_skipped = 0;
};

// The 72-hour rule (lm-api.md §3.2): an LM that has not synchronised for 72 h goes to
// sync_error and its answers are no valid offline check.
inline constexpr std::int64_t kLmSyncLimitMs = 72LL * 3600 * 1000;

// Whether the mirror says the LM can answer a check now: status ready, lastSync within 72 h.
struct LmUnready {
    std::string kind;    // empty: it can; "not_ready" (4045) or "out_of_sync" (4050, 72 h)
    std::string reason;  // "status initialization", "lastSync 73 h ago (72 h rule)"
};
LmUnready lm_unready(const LmMirror& mirror, std::int64_t now_ms);

}  // namespace piotd::daemon
