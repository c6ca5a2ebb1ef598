// GET / and /status (HTML) and GET /api/v1/status/page (JSON), behind the API's Basic auth.
#pragma once

#include "daemon/http/router.hpp"
#include "daemon/local_module.hpp"
#include "daemon/status/lag_history.hpp"
#include "daemon/status/status_providers.hpp"

namespace piotd::daemon {

// `lag` and `sources` are read on every request; they must outlive the router.
void add_status_routes(Router& router, const LocalModule& module, const LagHistory& lag,
                       const StatusSources& sources);

}  // namespace piotd::daemon
