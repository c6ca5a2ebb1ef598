// The serving side of replication (docs/replication.md): every piotd offers its lists to the
// tills below it.
//   GET /api/v1/replication/state
//   GET /api/v1/replication/snapshot?list=NAME[&after=ITEM]   chunked NDJSON, bounded memory
//   GET /api/v1/replication/changes?list=NAME&epoch=E&since=S[&limit=N]
#pragma once

#include "daemon/http/router.hpp"
#include "daemon/local_module.hpp"

namespace piotd::daemon {

void add_replication_routes(Router& router, LocalModule& module);

}  // namespace piotd::daemon
