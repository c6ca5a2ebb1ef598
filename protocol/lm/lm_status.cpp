#include "protocol/lm/lm_status.hpp"

namespace piotd::protocol {

LmStatus evaluate_lm_status(const LmStatusInputs& inputs, std::int64_t now_ms) {
    if (!inputs.configured) return LmStatus::not_configured;
    if (!inputs.lists_loaded) return LmStatus::initialization;
    // "72 часа считаются с lastSync": strictly more than 72 h without a sync is an error.
    if (now_ms - inputs.last_sync_ms > kSyncErrorAfterMs) return LmStatus::sync_error;
    return LmStatus::ready;
}

std::string_view lm_status_name(LmStatus status) {
    switch (status) {
        case LmStatus::not_configured:
            return "not_configured";
        case LmStatus::initialization:
            return "initialization";
        case LmStatus::ready:
            return "ready";
        case LmStatus::sync_error:
            return "sync_error";
    }
    return "not_configured";
}

}  // namespace piotd::protocol
