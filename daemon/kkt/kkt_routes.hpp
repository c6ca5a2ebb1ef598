// The fiscal register's endpoints (docs/drivers.md), answered from the register's worker thread
// (deferred replies: the HTTP I/O threads never wait on serial I/O):
//   GET  /api/v1/kkt/status    connection, mode, FN number and state, receipt open, last error
//   POST /api/v1/kkt/receipt   a sale with marked items, checked, printed and recorded
#pragma once

#include "daemon/http/router.hpp"
#include "daemon/kkt/kkt_service.hpp"

namespace piotd::daemon {

void add_kkt_routes(Router& router, KktService& kkt);

}  // namespace piotd::daemon
