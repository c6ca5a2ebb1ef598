// Which role may call which route (issue 22 item 11), in one table so the whole matrix can be
// read, reviewed and tested in one place; docs/api.md#roles says the same in prose. Admin may
// call every route; a route missing here is admin's only.
#pragma once

#include "daemon/http/router.hpp"

namespace piotd::daemon {

// Grants the table's roles on the routes `router` has (features that are not configured have
// no routes; their rows grant nothing).
void grant_roles(Router& router);

}  // namespace piotd::daemon
