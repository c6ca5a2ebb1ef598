// Gauges read at scrape time from the running module: state, lists, replication lag, LMDB size,
// open connections, and the outbox and the local module through their optional providers.
#pragma once

#include <functional>

#include "daemon/local_module.hpp"
#include "daemon/metrics/metrics_registry.hpp"
#include "daemon/status/status_providers.hpp"

namespace piotd::daemon {

// The HTTP server's own figures, read at scrape time (null until the server exists).
struct ServerFigures {
    std::function<double()> open_connections;
    std::function<double()> refused_connections;
    std::function<double()> evicted_connections;
};

// The piotd_local_module_* figures of the mirrored LM (docs/operations.md); `now_ms` is the
// module's clock, for the age of the LM's lastSync.
void collect_local_module_metrics(const LmMirror& mirror, std::int64_t now_ms,
                                  std::vector<MetricSample>& out);

// `sources` is read on every scrape.
void add_module_metrics(MetricsRegistry& registry, const LocalModule& module,
                        const StatusSources& sources, ServerFigures server);

}  // namespace piotd::daemon
