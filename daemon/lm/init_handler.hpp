// POST /api/v1/init and /api/v2/init with {"token": "<X-API-KEY>"}.
#pragma once

#include "daemon/http/http_types.hpp"
#include "daemon/http/router.hpp"
#include "daemon/local_module.hpp"

namespace piotd::daemon {

Response handle_init(LocalModule& module, const RequestContext& context);

}  // namespace piotd::daemon
