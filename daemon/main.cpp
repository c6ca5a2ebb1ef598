// piotd: the marking-code check module for the till. See README.md.
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "daemon/clock.hpp"
#include "daemon/command_line.hpp"
#include "daemon/config.hpp"
#include "daemon/http/router.hpp"
#include "daemon/http/server.hpp"
#include "daemon/http/tls_front.hpp"
#include "daemon/image/image_scan_service.hpp"
#include "daemon/import_command.hpp"
#include "daemon/kkt/chain_marked_item_checker.hpp"
#include "daemon/kkt/kkt_routes.hpp"
#include "daemon/kkt/kkt_service.hpp"
#include "daemon/kkt/relay_sale_recorder.hpp"
#include "daemon/listen_address.hpp"
#include "daemon/lm/lm_routes.hpp"
#include "daemon/local_module.hpp"
#include "daemon/log.hpp"
#include "daemon/ops/device_status_list.hpp"
#include "daemon/ops/operations.hpp"
#include "daemon/permissive/permissive_mode.hpp"
#include "daemon/relay/relay_routes.hpp"
#include "daemon/relay/relay_service.hpp"
#include "daemon/replication/replication_routes.hpp"
#include "daemon/replication/replicator.hpp"
#include "daemon/replication/upstream_url.hpp"
#include "daemon/role_grants.hpp"
#include "daemon/scanner/chain_scan_checker.hpp"
#include "daemon/scanner/scan_event_hub.hpp"
#include "daemon/scanner/scanner_routes.hpp"
#include "daemon/scanner/scanner_service.hpp"
#include "daemon/version.hpp"
#include "storage/storage_error.hpp"

namespace {

using namespace piotd::daemon;

// `demo_password`, for a --demo start: where the API password came from, for the start log.
Config build_config(const CommandLine& line, std::string* demo_password = nullptr) {
    Config config;
    if (line.config_file) load_config_file(*line.config_file, config);
    const char* environment_password = std::getenv("PIOTD_PASSWORD");
    const bool password_from_environment =
        environment_password != nullptr && *environment_password != '\0';
    apply_environment(config);
    if (line.data_dir) config.data_dir = *line.data_dir;
    if (line.listen) config.listen = *line.listen;
    if (line.threads) set_config_value(config, "server", "threads", *line.threads);
    if (line.map_size_mb) set_config_value(config, "storage", "map_size_mb", *line.map_size_mb);
    if (line.log_level) set_config_value(config, "log", "level", *line.log_level);
    if (line.upstream) config.upstream_url = *line.upstream;
    if (line.sync_period) set_config_value(config, "upstream", "sync_period_s", *line.sync_period);
    if (line.max_snapshot_streams) {
        set_config_value(config, "replication", "max_snapshot_streams", *line.max_snapshot_streams);
    }
    if (line.kkt) config.kkt_device = *line.kkt;
    if (line.relay) config.relay.url = *line.relay;
    if (line.relay_kind) set_config_value(config, "relay", "kind", *line.relay_kind);
    if (line.sign_command) config.relay.sign_command = *line.sign_command;
    if (line.scanner) set_config_value(config, "scanner", "device", *line.scanner);
    if (line.true_api) config.trueapi.url = *line.true_api;
    if (line.ca_file) config.trueapi.ca_file = *line.ca_file;
    if (line.fiscal_drive) config.trueapi.fiscal_drive = *line.fiscal_drive;
    if (line.online_budget_ms) {
        set_config_value(config, "trueapi", "online_budget_ms", *line.online_budget_ms);
    }
    if (line.piot_listen) set_config_value(config, "trueapi", "piot_listen", *line.piot_listen);
    if (line.local_module) config.local_module.url = *line.local_module;
    if (line.demo) {
        config.demo = true;
        // A configured password stays (the POS software may be set up with it); without one, the
        // local module installer's default credentials (lm-api.md §1).
        std::string source = password_from_environment ? "password from PIOTD_PASSWORD"
                                                       : "password from the config file";
        if (config.password.empty()) {
            config.user = "admin";
            config.password = "admin";
            source = "password admin:admin (none configured)";
        }
        if (demo_password != nullptr) *demo_password = std::move(source);
    }
    apply_local_module_relay(config);
    // X-ClientId is the fiscal drive number (lm-api.md §2.1): the one piotd knows, unless set.
    if (config.local_module.client_id.empty()) {
        config.local_module.client_id = config.trueapi.fiscal_drive;
    }
    return config;
}

// HTTPS beside the plain listener ([server] tls_listen): a store piotd that tills replicate from
// over TLS. The front relays to a plain server of its own on a loopback port (as the ТС ПИоТ
// listener does), with the same routes: its clients are on the LAN, so that server dispatches as
// a network listener (the status wants credentials there, Access::loopback_open), while the
// plain listener stays what its address says.
struct TlsListener {
    ListenerRouter routes;
    HttpServer backend;
    TlsFront front;
    TlsListener(const Config& config, Router& router)
        : routes(router, Listener::network),
          backend(boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0),
                  backend_limits(config), routes),
          front(parse_listen_address(config.tls_listen), config.tls_cert_file, config.tls_key_file,
                backend.local_endpoint()) {}
    void stop() {
        front.stop();
        backend.stop();
    }
    // The backend sees loopback connections; its clients' Host names the front's address (or
    // a name in [server] tls_names, already in config.limits.hosts): accepted (host_names.hpp).
    static ServerLimits backend_limits(const Config& config) {
        ServerLimits limits = config.limits;
        limits.hosts.add_listen_address(parse_listen_address(config.tls_listen));
        return limits;
    }
};

std::unique_ptr<TlsListener> start_tls_listener(const Config& config, Router& router) {
    if (config.tls_listen.empty()) return nullptr;
    if (config.tls_cert_file.empty() || config.tls_key_file.empty()) {
        throw std::runtime_error("[server] tls_listen needs tls_cert_file and tls_key_file");
    }
    auto tls = std::make_unique<TlsListener>(config, router);
    tls->backend.start();
    tls->front.start();
    log_info("main", "HTTPS on port " + std::to_string(tls->front.port()));
    return tls;
}

// Many idle keep-alive connections are normal on a store server; let the process have as many
// descriptors as the hard limit allows.
void raise_descriptor_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// `demo_password`: where a --demo start's password came from (build_config).
int run_daemon(const Config& config, std::chrono::steady_clock::time_point started,
               const std::string& demo_password) {
    if (config.password.empty()) {
        std::cerr << "piotd: no API password: set auth.password in the config file or "
                     "PIOTD_PASSWORD (or start with --demo)\n";
        return 1;
    }
    set_log_level(config.log_level);
    raise_descriptor_limit();

    // Signals are taken by this thread with sigtimedwait; the I/O threads inherit the mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    Clock clock;
    LocalModule module(config, clock);
    // --demo seeds only the empty lists and keeps a configured password: one line says so.
    if (config.demo) log_info("main", "demo: " + module.start_demo() + "; " + demo_password);

    Router router(BasicAuth(config.user, config.password));
    try {
        if (!config.pos_password.empty()) {
            router.add_credential(Role::pos, config.pos_user, config.pos_password);
        }
        if (!config.replica_password.empty()) {
            router.add_credential(Role::replica, config.replica_user, config.replica_password);
        }
    } catch (const std::invalid_argument& e) {
        std::cerr << "piotd: [auth]: " << e.what() << "\n";
        return 1;
    }
    BodyBudget::process().set_limit(config.body_budget_bytes);
    // The LM API first: the router tries routes in the order they were added, and the check is
    // the hot path. What it needs of permissive mode is filled in below, before the server starts.
    LmRouteOptions lm_routes;
    lm_routes.status_open = config.status_open;
    add_lm_routes(router, module, lm_routes);
    // Snapshots and pages of changes for the tills below are made on background workers and
    // bounded (docs/replication.md, "Serving many tills at once").
    ReplicationServing replication_serving({.max_snapshot_streams = config.max_snapshot_streams});
    add_replication_routes(router, module, replication_serving);
    Operations operations(config, module, router);
    replication_serving.start(&operations.metrics());

    RelayService relay(module, config, clock);
    add_relay_routes(router, relay);
    // Permissive-mode checks go to the metrics (the journal already lists them on the page);
    // True API exchanges to a health record of their own (docs/operations.md).
    for (const char* source : {"online", "lm", "offline", "none"}) {
        operations.check_metrics().add_source(source);
    }
    PermissiveMode permissive(
        module, clock,
        {&operations.check_metrics(),
         config.trueapi.url.empty() ? nullptr
                                    : &operations.add_upstream("true_api", config.trueapi.url),
         config.local_module.url.empty()
             ? nullptr
             : &operations.add_upstream("local_module", config.local_module.url)});
    operations.sources().cdn = permissive.cdn_status();
    operations.sources().local_module = permissive.local_module_status();
    lm_routes.upstream_lm = permissive.local_module_status();
    lm_routes.front = permissive.local_module_client();
    if (permissive.checks_ahead()) {
        lm_routes.ahead_wanted = [&permissive] { return permissive.ahead_wanted(); };
        lm_routes.seen = [&permissive](std::vector<FrontCheckCode> codes) {
            permissive.check_ahead(std::move(codes));
        };
    }
    if (lm_routes.front != nullptr) {
        lm_routes.learn = [&permissive](std::vector<std::string> kis) {
            permissive.learn(std::move(kis));
        };
    }
    permissive.add_routes(router);
    operations.sources().outbox = &relay;
    // The fiscal register (docs/drivers.md), when one is configured; its sales go through the
    // relay's sell path.
    std::unique_ptr<KktService> kkt;
    if (!config.kkt_device.empty()) {
        kkt = std::make_unique<KktService>(
            config, module, clock,
            std::make_unique<RelaySaleRecorder>(relay.intake(), module.env()));
        kkt->set_checker(std::make_unique<ChainMarkedItemChecker>(permissive.checker()));
        add_kkt_routes(router, *kkt);
    }

    std::unique_ptr<Replicator> replicator;
    if (!config.upstream_url.empty()) {
        ReplicatorOptions options;
        options.url = parse_upstream_url(config.upstream_url);
        options.user = config.upstream_user;
        options.password = config.upstream_password;
        options.period = std::chrono::seconds(config.sync_period_s);
        options.snapshot_batch_items = config.snapshot_batch_items;
        options.timeout = std::chrono::milliseconds(config.upstream_timeout_ms);
        options.ca_file = config.trueapi.ca_file;
        options.health = operations.replication_health();
        options.starved = &operations.metrics().counter(
            "piotd_replication_starved_total",
            "times the replication thread, starved at SCHED_IDLE, was lifted to SCHED_BATCH");
        replicator = std::make_unique<Replicator>(module, std::move(options));
    }
    operations.set_replicator(replicator.get());

    // Devices: the scanner's events and checks (docs/drivers.md).
    ChainScanChecker scan_checker(permissive.checker());
    ScanEventHub scan_events(config.scanner.event_queue);
    ScannerService scanner(config.scanner, scan_checker, scan_events);
    add_scanner_routes(router, scanner, scan_events);
    ImageScanService images(config.image, scan_checker);
    images.add_routes(router);
    DeviceStatusList devices;
    if (scanner.configured()) devices.add([&scanner] { return scanner.device_status(); });
    if (kkt) devices.add([&kkt] { return kkt->device_status(); });
    if (!devices.empty()) operations.sources().devices = &devices;

    grant_roles(router);  // every route is added by now
    scanner.start();      // before the server, so the first status answer knows the device
    HttpServer server(parse_listen_address(config.listen), config.limits, router);
    router.set_listener(listener_for(server.local_endpoint().address()));
    server.start();
    std::unique_ptr<TlsListener> tls_listener = start_tls_listener(config, router);
    operations.started(server);
    if (replicator) replicator->start();
    if (kkt) kkt->start();
    relay.start();
    permissive.start();
    const auto endpoint = server.local_endpoint();
    const double startup_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    log_info("main", "piotd " + std::string(piotd::kVersion) + " listening on http://" +
                         endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) +
                         " (status " +
                         std::string(piotd::protocol::lm_status_name(module.status())) +
                         ", startup " + std::to_string(startup_ms) + " ms, " +
                         std::to_string(server.event_loops().size()) + " I/O threads" +
                         (server.steers_by_client_cpu() ? ", steered by client CPU)" : ")"));

    // Once a second: pick up lists committed by other processes (piotd import).
    const timespec tick{1, 0};
    for (;;) {
        const int signal_number = sigtimedwait(&signals, nullptr, &tick);
        if (signal_number == SIGINT || signal_number == SIGTERM) break;
        operations.tick();
        try {
            module.refresh();
        } catch (const std::exception& e) {
            log_error("main", std::string("refresh failed: ") + e.what());
        }
    }
    log_info("main", "stopping");
    operations.stopping();
    if (replicator) replicator->stop();
    if (kkt) kkt->stop();
    relay.stop();
    // Devices first, so nothing wakes a connection while the server is taking them down.
    scanner.stop();
    scan_events.close();
    images.stop();
    replication_serving.stop();  // no worker wakes a connection once the server is down
    permissive.stop();           // completes deferred answers while the server can still send them
    if (tls_listener) tls_listener->stop();
    server.stop();
    // Saves the blocked_cis filter if it had to be rebuilt, so the next start needs no scan.
    module.lists().persist_filter();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const auto started = std::chrono::steady_clock::now();
    try {
        const CommandLine line = parse_command_line(argc, argv);
        switch (line.command) {
            case Command::help:
                std::cout << usage_text();
                return 0;
            case Command::version:
                std::cout << "piotd " << piotd::kVersion << "\n";
                return 0;
            case Command::import:
                return run_import(line, build_config(line));
            case Command::run: {
                std::string demo_password;
                const Config config = build_config(line, &demo_password);
                return run_daemon(config, started, demo_password);
            }
        }
    } catch (const UsageError& e) {
        std::cerr << "piotd: " << e.what() << "\n" << usage_text();
        return 2;
    } catch (const piotd::storage::StorageError& e) {
        std::cerr << "piotd: data dir: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "piotd: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
