// GET /api/v1/status and /api/v2/status.
#pragma once

#include "daemon/http/http_types.hpp"
#include "daemon/local_module.hpp"
#include "protocol/lm_check_answer.hpp"

namespace piotd::daemon {

Response handle_status(const LocalModule& module, protocol::LmApiVersion api);

}  // namespace piotd::daemon
