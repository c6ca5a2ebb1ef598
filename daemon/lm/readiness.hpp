// Checks are answered only while the module is `ready` (lm-api.md §3.6): otherwise HTTP 400
// with errorCode 4045 (not_configured, initialization) or 4050 (sync_error).
#pragma once

#include <optional>

#include "daemon/http/http_types.hpp"
#include "daemon/local_module.hpp"

namespace piotd::daemon {

std::optional<Response> readiness_error(const LocalModule& module);

}  // namespace piotd::daemon
