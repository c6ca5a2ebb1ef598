// The serving side of replication (docs/replication.md): every piotd offers its lists to the
// tills below it.
//   GET /api/v1/replication/state
//   GET /api/v1/replication/snapshot?list=NAME[&after=ITEM]   chunked NDJSON, bounded memory
//   GET /api/v1/replication/changes?list=NAME&epoch=E&since=S[&limit=N]
// Snapshots and pages of changes are made on `serving`'s workers, never on the I/O thread, and
// refused with 503 + Retry-After past its bounds (replication_serving.hpp).
#pragma once

#include "daemon/http/router.hpp"
#include "daemon/local_module.hpp"
#include "daemon/replication/replication_serving.hpp"

namespace piotd::daemon {

void add_replication_routes(Router& router, LocalModule& module, ReplicationServing& serving);

}  // namespace piotd::daemon
