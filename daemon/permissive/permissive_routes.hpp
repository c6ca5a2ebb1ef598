// The permissive-mode endpoints on the LM API port (Basic auth), docs/permissive-mode.md:
//   POST /api/v1/piot/check       online-then-offline check with the sale verdict and tag 1260
//   GET  /api/v1/journal          the check journal, newest first (?limit=&since=)
//   GET  /api/v1/trueapi/hosts    the CDN hosts, their avgTimeMs and blocks
#pragma once

#include "daemon/http/router.hpp"
#include "daemon/permissive/permissive_checker.hpp"

namespace piotd::daemon {

void add_permissive_routes(Router& router, PermissiveChecker& checker, TrueApiClient& client);

}  // namespace piotd::daemon
