#include "daemon/ops/operations.hpp"

#include "daemon/log.hpp"
#include "daemon/metrics/metrics_routes.hpp"
#include "daemon/metrics/module_metrics.hpp"
#include "daemon/replication/sync_route.hpp"
#include "daemon/status/status_routes.hpp"
#include "daemon/status/status_snapshot.hpp"
#include "daemon/systemd/sd_notify.hpp"

namespace piotd::daemon {

namespace {

// The upstream URL as shown on the status page: never with credentials in it.
std::string display_url(const std::string& url) {
    const std::size_t scheme = url.find("://");
    const std::size_t at = url.find('@');
    if (scheme == std::string::npos || at == std::string::npos) return url;
    const std::size_t slash = url.find('/', scheme + 3);
    if (slash != std::string::npos && at > slash) return url;
    return url.substr(0, scheme + 3) + url.substr(at + 1);
}

}  // namespace

Operations::Operations(const Config& config, LocalModule& module, Router& router)
    : module_(module),
      http_metrics_(router, metrics_),
      check_metrics_(metrics_),
      journal_checks_(module.env(), recent_checks_) {
    if (!config.upstream_url.empty()) {
        replication_health_ = std::make_unique<UpstreamHealth>(
            "replication", display_url(config.upstream_url), metrics_);
        sources_.upstreams.push_back(replication_health_.get());
    }
    sources_.checks = &journal_checks_;
    observers_.add(check_metrics_);
    observers_.add(recent_checks_);
    module_.set_check_observer(&observers_);

    add_status_routes(router, module_, lag_, sources_);
    add_metrics_routes(router, metrics_, config.metrics_open);
    add_sync_route(router, replicator_);
    ServerFigures server;
    server.open_connections = [this]() -> double {
        return server_ != nullptr ? static_cast<double>(server_->open_connections()) : 0.0;
    };
    server.refused_connections = [this]() -> double {
        return server_ != nullptr ? static_cast<double>(server_->refused_connections()) : 0.0;
    };
    server.evicted_connections = [this]() -> double {
        return server_ != nullptr ? static_cast<double>(server_->evicted_connections()) : 0.0;
    };
    add_module_metrics(metrics_, module_, sources_, std::move(server));
}

Operations::~Operations() {
    module_.set_check_observer(nullptr);
}

UpstreamHealth& Operations::add_upstream(std::string name, const std::string& url) {
    other_health_.push_back(
        std::make_unique<UpstreamHealth>(std::move(name), display_url(url), metrics_));
    sources_.upstreams.push_back(other_health_.back().get());
    return *other_health_.back();
}

void Operations::started(HttpServer& server) {
    server_ = &server;
    tick();
    if (sd_notify("READY=1")) log_info("systemd", "notified READY=1");
    if (const auto interval = watchdog_interval()) {
        watchdog_ = std::make_unique<Watchdog>(
            server.event_loops(), *interval, [](std::string_view message) { sd_notify(message); });
        watchdog_->start();
        log_info("systemd", "watchdog every " + std::to_string(interval->count() / 2000) + " ms");
    }
}

void Operations::tick() {
    lag_.maybe_sample(module_.now_ms(), current_lag(module_));
    // `systemctl status piotd` shows the module's state in plain words.
    const protocol::LmStatus status = module_.status();
    if (server_ != nullptr && announced_ != status) {
        announced_ = status;
        sd_notify("STATUS=" + std::string(protocol::lm_status_name(status)) + ": " +
                  std::string(state_reason(status).en));
    }
}

void Operations::stopping() {
    if (watchdog_) watchdog_->stop();
    sd_notify("STOPPING=1");
}

}  // namespace piotd::daemon
