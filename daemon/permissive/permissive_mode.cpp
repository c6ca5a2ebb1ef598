#include "daemon/permissive/permissive_mode.hpp"

#include <atomic>

#include "daemon/lm_upstream/lm_mirror_status.hpp"
#include "daemon/log.hpp"
#include "daemon/permissive/cdn_hosts_status.hpp"
#include "daemon/permissive/journal_writer.hpp"
#include "daemon/permissive/permissive_routes.hpp"
#include "daemon/permissive/tspiot_listener.hpp"

namespace piotd::daemon {

namespace {

TrueApiOptions client_options(const TrueApiConfig& config, const PermissiveReporting& reporting) {
    TrueApiOptions options;
    options.health = reporting.true_api;
    options.discovery_url = config.url;
    options.ca_file = config.ca_file;
    return options;
}

PermissiveOptions checker_options(const TrueApiConfig& config, const PermissiveReporting& reporting,
                                  VerdictCache* ahead) {
    PermissiveOptions options;
    options.ahead = ahead;
    options.observer = reporting.checks;
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
    Parts(LocalModule& module, const Clock& clock, const PermissiveReporting& reporting)
        : config(module.config().trueapi),
          client(client_options(config, reporting), clock,
                 [&module, token = config.token] {
                     return token.empty() ? module.state().token : token;
                 }),
          lm(module.config().local_module, config.ca_file, clock, reporting.local_module),
          lm_status(lm),
          ahead(std::chrono::milliseconds(config.ahead_window_ms), config.ahead_max_codes),
          journal(module.env(), retention(config), &module.lists()),
          cdn(client, clock),
          checker(module, client,
                  checker_options(config, reporting,
                                  // Only an upstream's verdict is worth checking ahead.
                                  config.ahead_window_ms > 0 && (client.enabled() || lm.enabled())
                                      ? &ahead
                                      : nullptr),
                  &journal, &lm) {
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
    LmClient lm;
    LmMirrorStatus lm_status;
    VerdictCache ahead;
    std::atomic<unsigned> ahead_in_flight{0};
    JournalWriter journal;
    CdnHostsStatus cdn;
    PermissiveChecker checker;
    std::unique_ptr<TsPiotListener> listener;
};

PermissiveMode::PermissiveMode(LocalModule& module, const Clock& clock,
                               PermissiveReporting reporting)
    : parts_(std::make_unique<Parts>(module, clock, reporting)) {}

PermissiveMode::~PermissiveMode() {
    stop();
}

void PermissiveMode::add_routes(Router& router) {
    add_permissive_routes(router, parts_->checker, parts_->client);
}

PermissiveChecker& PermissiveMode::checker() {
    return parts_->checker;
}

const CdnStatusProvider* PermissiveMode::cdn_status() const {
    return parts_->client.enabled() ? &parts_->cdn : nullptr;
}

const LocalModuleStatusProvider* PermissiveMode::local_module_status() const {
    return parts_->lm.enabled() ? &parts_->lm_status : nullptr;
}

LmClient* PermissiveMode::local_module_client() {
    return parts_->lm.enabled() ? &parts_->lm : nullptr;
}

namespace {

constexpr std::size_t kMaxAheadCodes = 100;  // per LM-API request
constexpr unsigned kMaxAheadInFlight = 16;   // checks ahead under way at once

}  // namespace

void PermissiveMode::learn(std::vector<std::string> kis) {
    parts_->journal.learn(std::move(kis));
}

bool PermissiveMode::checks_ahead() const {
    return parts_->checker.options().ahead != nullptr;
}

bool PermissiveMode::ahead_wanted() const {
    if (!checks_ahead()) return false;
    if (parts_->lm.enabled()) return true;
    return parts_->client.enabled() &&
           (!parts_->config.token.empty() || parts_->checker.module().has_token());
}

void PermissiveMode::check_ahead(std::vector<FrontCheckCode> codes) {
    if (!checks_ahead() || codes.empty() || codes.size() > kMaxAheadCodes) return;
    if (parts_->ahead_in_flight.fetch_add(1) >= kMaxAheadInFlight) {
        --parts_->ahead_in_flight;
        return;
    }
    auto items = std::make_shared<std::vector<CheckItem>>();
    items->reserve(codes.size());
    for (FrontCheckCode& code : codes) {
        items->push_back(CheckItem{std::move(code.code), std::nullopt, 1, code.product_group});
    }
    // A null executor: the upstream clients' own threads, not the connection's.
    parts_->checker.check(
        boost::asio::any_io_executor{}, std::move(items), {},
        [parts = parts_.get()](const CheckOutcome&) { --parts->ahead_in_flight; }, {},
        CheckUse::ahead);
}

void PermissiveMode::start() {
    parts_->client.start();
    parts_->lm.start();
    if (parts_->lm.enabled()) {
        log_info("permissive",
                 "local module " + parts_->lm.mirror().url + ", check budget " +
                     std::to_string(parts_->lm.config().timeout_ms) + " ms, on failure " +
                     std::string(lm_failure_policy_name(parts_->lm.config().on_failure)));
    }
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
    parts_->lm.stop();
    if (parts_->listener) parts_->listener->stop();
    parts_->journal.stop();
}

}  // namespace piotd::daemon
