// piotd: the marking-code check module for the till. See README.md.
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "daemon/clock.hpp"
#include "daemon/command_line.hpp"
#include "daemon/config.hpp"
#include "daemon/http/router.hpp"
#include "daemon/http/server.hpp"
#include "daemon/import_command.hpp"
#include "daemon/listen_address.hpp"
#include "daemon/lm/lm_routes.hpp"
#include "daemon/local_module.hpp"
#include "daemon/log.hpp"
#include "daemon/permissive/permissive_mode.hpp"
#include "daemon/replication/replication_routes.hpp"
#include "daemon/replication/replicator.hpp"
#include "daemon/replication/upstream_url.hpp"
#include "daemon/version.hpp"
#include "storage/storage_error.hpp"

namespace {

using namespace piotd::daemon;

Config build_config(const CommandLine& line) {
    Config config;
    if (line.config_file) load_config_file(*line.config_file, config);
    apply_environment(config);
    if (line.data_dir) config.data_dir = *line.data_dir;
    if (line.listen) config.listen = *line.listen;
    if (line.threads) set_config_value(config, "server", "threads", *line.threads);
    if (line.map_size_mb) set_config_value(config, "storage", "map_size_mb", *line.map_size_mb);
    if (line.log_level) set_config_value(config, "log", "level", *line.log_level);
    if (line.upstream) config.upstream_url = *line.upstream;
    if (line.sync_period) set_config_value(config, "upstream", "sync_period_s", *line.sync_period);
    if (line.true_api) config.trueapi.url = *line.true_api;
    if (line.ca_file) config.trueapi.ca_file = *line.ca_file;
    if (line.fiscal_drive) config.trueapi.fiscal_drive = *line.fiscal_drive;
    if (line.online_budget_ms) {
        set_config_value(config, "trueapi", "online_budget_ms", *line.online_budget_ms);
    }
    if (line.piot_listen) set_config_value(config, "trueapi", "piot_listen", *line.piot_listen);
    if (line.demo) {
        // The local module installer's default credentials (lm-api.md §1).
        config.demo = true;
        config.user = "admin";
        config.password = "admin";
    }
    return config;
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

int run_daemon(const Config& config, std::chrono::steady_clock::time_point started) {
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
    if (config.demo) module.start_demo();

    Router router(BasicAuth(config.user, config.password));
    add_lm_routes(router, module);
    add_replication_routes(router, module);
    PermissiveMode permissive(module, clock);
    permissive.add_routes(router);

    std::unique_ptr<Replicator> replicator;
    if (!config.upstream_url.empty()) {
        ReplicatorOptions options;
        options.url = parse_upstream_url(config.upstream_url);
        options.user = config.upstream_user;
        options.password = config.upstream_password;
        options.period = std::chrono::seconds(config.sync_period_s);
        options.snapshot_batch_items = config.snapshot_batch_items;
        replicator = std::make_unique<Replicator>(module, std::move(options));
    }

    HttpServer server(parse_listen_address(config.listen), config.limits, router);
    server.start();
    if (replicator) replicator->start();
    permissive.start();
    const auto endpoint = server.local_endpoint();
    const double startup_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    log_info("main", "piotd " + std::string(piotd::kVersion) + " listening on http://" +
                         endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) +
                         " (status " +
                         std::string(piotd::protocol::lm_status_name(module.status())) +
                         ", startup " + std::to_string(startup_ms) + " ms)");

    // Once a second: pick up lists committed by other processes (piotd import).
    const timespec tick{1, 0};
    for (;;) {
        const int signal_number = sigtimedwait(&signals, nullptr, &tick);
        if (signal_number == SIGINT || signal_number == SIGTERM) break;
        try {
            module.refresh();
        } catch (const std::exception& e) {
            log_error("main", std::string("refresh failed: ") + e.what());
        }
    }
    log_info("main", "stopping");
    if (replicator) replicator->stop();
    permissive.stop();  // completes deferred answers while the server can still send them
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
            case Command::run:
                return run_daemon(build_config(line), started);
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
