#include "daemon/lm/readiness.hpp"

#include "daemon/http/json_error.hpp"

namespace piotd::daemon {

std::optional<Response> readiness_error(const LocalModule& module) {
    switch (module.status()) {
        case protocol::LmStatus::ready:
            return std::nullopt;
        case protocol::LmStatus::not_configured:
            return json_error(http::status::bad_request, ApiError::not_ready,
                              "module is not configured: call /api/v1/init with the token");
        case protocol::LmStatus::initialization:
            return json_error(http::status::bad_request, ApiError::not_ready,
                              "module is initializing: black lists are not loaded yet");
        case protocol::LmStatus::sync_error:
            return json_error(http::status::bad_request, ApiError::sync_error,
                              "sync_error: no synchronisation for more than 72 hours");
    }
    return std::nullopt;
}

}  // namespace piotd::daemon
