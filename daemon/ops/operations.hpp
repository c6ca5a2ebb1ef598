// Operations wiring (docs/operations.md): the status page, /metrics, POST
// /api/v1/replication/sync, check observers, the lag history and systemd notification. main()
// creates one Operations after the router and calls the hooks below; other components plug in
// through sources(), metrics() and check_observers().
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/checks/check_metrics.hpp"
#include "daemon/checks/journal_recent_checks.hpp"
#include "daemon/checks/recent_checks.hpp"
#include "daemon/config.hpp"
#include "daemon/http/router.hpp"
#include "daemon/http/server.hpp"
#include "daemon/local_module.hpp"
#include "daemon/metrics/http_metrics.hpp"
#include "daemon/metrics/metrics_registry.hpp"
#include "daemon/replication/replicator.hpp"
#include "daemon/status/lag_history.hpp"
#include "daemon/status/status_providers.hpp"
#include "daemon/status/upstream_health.hpp"
#include "daemon/systemd/watchdog.hpp"

namespace piotd::daemon {

class Operations {
public:
    // Adds the routes to `router` and becomes the module's check observer.
    Operations(const Config& config, LocalModule& module, Router& router);
    ~Operations();

    MetricsRegistry& metrics() { return metrics_; }
    // Providers of the status page and /metrics; set them before the server starts.
    StatusSources& sources() { return sources_; }
    // Every check event goes to these (metrics and the recent ring are already in).
    CheckObservers& check_observers() { return observers_; }
    // Check metrics alone, for check paths whose codes the journal already shows on the page
    // (permissive mode): reporting them through check_observers() would list them twice.
    CheckMetrics& check_metrics() { return check_metrics_; }
    // A health record for one more upstream (permissive mode's True API), shown on the status
    // page and counted in piotd_upstream_errors_total; valid for this object's life.
    UpstreamHealth& add_upstream(std::string name, const std::string& url);
    // Replication's health record, for ReplicatorOptions::health (null without an upstream).
    UpstreamHealth* replication_health() { return replication_health_.get(); }
    // Enables POST /api/v1/replication/sync.
    void set_replicator(Replicator* replicator) { replicator_ = replicator; }

    // The listener is up: READY=1, the watchdog starts, connections become a gauge.
    void started(HttpServer& server);
    // Once a second from the main loop: samples replication lag.
    void tick();
    // Shutdown begins: STOPPING=1, no more watchdog pings. Call before server.stop().
    void stopping();

private:
    LocalModule& module_;
    MetricsRegistry metrics_;
    HttpMetrics http_metrics_;
    CheckMetrics check_metrics_;
    RecentChecksRing recent_checks_;
    JournalRecentChecks journal_checks_;
    CheckObservers observers_;
    LagHistory lag_;
    std::unique_ptr<UpstreamHealth> replication_health_;
    std::vector<std::unique_ptr<UpstreamHealth>> other_health_;
    StatusSources sources_;
    Replicator* replicator_ = nullptr;
    HttpServer* server_ = nullptr;
    std::unique_ptr<Watchdog> watchdog_;
    std::optional<protocol::LmStatus> announced_;  // last STATUS= sent to systemd
};

}  // namespace piotd::daemon
