// The scanner's HTTP endpoints (docs/drivers.md):
//   GET /api/v1/scanner/events   server-sent events: "scan" (one per scan, with its check) and
//                                "device" (connected / disconnected)
//   GET /api/v1/scanner/status   device, connection, last scan, counters
#pragma once

#include "daemon/http/router.hpp"
#include "daemon/scanner/scan_event_hub.hpp"
#include "daemon/scanner/scanner_service.hpp"

namespace piotd::daemon {

void add_scanner_routes(Router& router, ScannerService& service, ScanEventHub& hub);

}  // namespace piotd::daemon
