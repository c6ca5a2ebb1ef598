// The local module's API on the router: /api/v1/* and /api/v2/*.
#pragma once

#include "daemon/http/router.hpp"
#include "daemon/lm_upstream/lm_client.hpp"
#include "daemon/local_module.hpp"
#include "daemon/status/status_providers.hpp"

namespace piotd::daemon {

// `upstream_lm`, `front`: the store's local module piotd stands in front of (its status is
// mirrored in /status; the checks ask it first, docs/local-module.md); null when there is none.
void add_lm_routes(Router& router, LocalModule& module,
                   const LocalModuleStatusProvider* upstream_lm = nullptr,
                   LmClient* front = nullptr);

}  // namespace piotd::daemon
