// The local module's API on the router: /api/v1/* and /api/v2/*.
#pragma once

#include "daemon/http/router.hpp"
#include "daemon/local_module.hpp"

namespace piotd::daemon {

void add_lm_routes(Router& router, LocalModule& module);

}  // namespace piotd::daemon
