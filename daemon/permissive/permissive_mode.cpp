#include "daemon/permissive/permissive_mode.hpp"

#include "daemon/log.hpp"
#include "daemon/permissive/journal_writer.hpp"
#include "daemon/permissive/permissive_routes.hpp"
#include "daemon/permissive/tspiot_listener.hpp"

namespace piotd::daemon {

namespace {

TrueApiOptions client_options(const TrueApiConfig& config) {
    TrueApiOptions options;
    options.discovery_url = config.url;
    options.ca_file = config.ca_file;
    return options;
}

PermissiveOptions checker_options(const TrueApiConfig& config) {
    PermissiveOptions options;
    options.budget = std::chrono::milliseconds(config.online_budget_ms);
    options.parallel = config.parallel_local;
    options.fiscal_drive_number = config.fiscal_drive;
    return options;
}

storage::JournalRetention retention(const TrueApiConfig& config) {
    storage::JournalRetention retention;
    retention.max_entries = config.journal_max_entries;
    retention.max_age_ms = std::int64_t{config.journal_max_age_days} * 24 * 3600 * 1000;
    return retention;
}

}  // namespace

struct PermissiveMode::Parts {
    Parts(LocalModule& module, const Clock& clock)
        : config(module.config().trueapi),
          client(client_options(config), clock,
                 [&module, token = config.token] {
                     return token.empty() ? module.state().token : token;
                 }),
          journal(module.env(), retention(config)),
          checker(module, client, checker_options(config), &journal) {
        if (config.piot_listen.empty()) return;
        try {
            listener = std::make_unique<TsPiotListener>(config, checker);
        } catch (const std::exception& e) {
            // The default port may be held by a real ESM on this till: then piotd serves the LM
            // API without its ТС ПИоТ API rather than not at all. Asked for explicitly, it is
            // fatal.
            if (config.piot_listen_explicit || !config.piot_cert_file.empty()) throw;
            log_warning("permissive", std::string("ТС ПИоТ API not served: ") + e.what());
        }
    }

    const TrueApiConfig& config;
    TrueApiClient client;
    JournalWriter journal;
    PermissiveChecker checker;
    std::unique_ptr<TsPiotListener> listener;
};

PermissiveMode::PermissiveMode(LocalModule& module, const Clock& clock)
    : parts_(std::make_unique<Parts>(module, clock)) {}

PermissiveMode::~PermissiveMode() {
    stop();
}

void PermissiveMode::add_routes(Router& router) {
    add_permissive_routes(router, parts_->checker, parts_->client);
}

PermissiveChecker& PermissiveMode::checker() {
    return parts_->checker;
}

void PermissiveMode::start() {
    parts_->client.start();
    if (parts_->listener) parts_->listener->start();
    log_info("permissive", parts_->config.url.empty()
                               ? std::string("online checks off (no --true-api)")
                               : "True API " + parts_->config.url + ", online budget " +
                                     std::to_string(parts_->config.online_budget_ms) + " ms");
}

void PermissiveMode::stop() {
    if (!parts_) return;
    // The ТС ПИоТ listener's connections wait on the client: stop the client (completing what
    // is under way) before the listener's I/O threads go.
    parts_->client.stop();
    if (parts_->listener) parts_->listener->stop();
    parts_->journal.stop();
}

}  // namespace piotd::daemon
