// GET /metrics (Prometheus text format 0.0.4). Behind the API's Basic auth unless the config
// says [metrics] open = true (a scraper on the LAN without the till's password).
#pragma once

#include "daemon/http/router.hpp"
#include "daemon/metrics/metrics_registry.hpp"

namespace piotd::daemon {

void add_metrics_routes(Router& router, const MetricsRegistry& registry, bool open);

}  // namespace piotd::daemon
