// The local module's API on the router: /api/v1/* and /api/v2/*.
#pragma once

#include "daemon/http/router.hpp"
#include "daemon/lm/lm_route_options.hpp"
#include "daemon/local_module.hpp"

namespace piotd::daemon {

// `options` lives as long as the router (main keeps it); the handlers read it at each request,
// so it may be filled in after this call, before the server starts (status_open excepted).
void add_lm_routes(Router& router, LocalModule& module, const LmRouteOptions& options);
inline void add_lm_routes(Router& router, LocalModule& module) {
    static const LmRouteOptions none;
    add_lm_routes(router, module, none);
}

}  // namespace piotd::daemon
