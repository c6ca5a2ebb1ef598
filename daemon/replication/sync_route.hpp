// POST /api/v1/replication/sync: asks the replicator for a round now (piotctl sync now). Answers
// 202 at once; the round runs on the replication thread. 409 when there is no upstream.
#pragma once

#include <atomic>

#include "daemon/http/router.hpp"
#include "daemon/replication/replicator.hpp"

namespace piotd::daemon {

// `replicator` may be set (or stay null) after the route is added, before the server starts.
void add_sync_route(Router& router, Replicator* const& replicator);

}  // namespace piotd::daemon
