#include "daemon/checks/check_event.hpp"

namespace piotd::daemon {

std::string_view check_verdict_name(CheckVerdict verdict) {
    switch (verdict) {
        case CheckVerdict::not_blocked:
            return "not_blocked";
        case CheckVerdict::blocked:
            return "blocked";
        case CheckVerdict::invalid_code:
            return "invalid_code";
        case CheckVerdict::not_ready:
            return "not_ready";
        case CheckVerdict::error:
            return "error";
    }
    return "error";
}

}  // namespace piotd::daemon
