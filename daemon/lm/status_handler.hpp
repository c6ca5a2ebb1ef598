// GET /api/v1/status and /api/v2/status.
#pragma once

#include "daemon/http/http_types.hpp"
#include "daemon/local_module.hpp"
#include "daemon/status/status_providers.hpp"
#include "protocol/lm_check_answer.hpp"

namespace piotd::daemon {

// `upstream_lm`: the store's local module piotd stands in front of, shown as `localModule`; null
// when there is none.
Response handle_status(const LocalModule& module, protocol::LmApiVersion api,
                       const LocalModuleStatusProvider* upstream_lm = nullptr);

}  // namespace piotd::daemon
