// Everything piotd can be told, with its default. Sources, later ones winning:
// built-in defaults < config file (INI, see docs/configuration.md) < environment
// (PIOTD_USER, PIOTD_PASSWORD) < command-line flags.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "daemon/http/server_limits.hpp"
#include "daemon/lm_upstream/local_module_config.hpp"
#include "daemon/log.hpp"
#include "daemon/relay/relay_config.hpp"
#include "daemon/scanner/scanner_config.hpp"
#include "daemon/trueapi/trueapi_config.hpp"

namespace piotd::daemon {

struct Config {
    // [server]
    std::string listen = "127.0.0.1:5995";
    // HTTPS beside it (a store piotd that tills replicate from over TLS): empty = off.
    std::string tls_listen;
    std::string tls_cert_file;  // PEM chain
    std::string tls_key_file;
    ServerLimits limits{};
    std::size_t max_codes_per_request = 10'000;
    // Every request body on its way, all listeners together (body_budget.hpp).
    std::size_t body_budget_bytes = BodyBudget::kDefaultBytes;
    // [storage]
    std::filesystem::path data_dir = "/var/lib/piotd";
    std::size_t map_size_mb = 4096;
    // [auth]
    std::string user = "admin";
    std::string password;  // required unless demo
    // The other roles' credentials (daemon/http/role.hpp); an empty password: no such
    // credential, only admin's is accepted for that role's routes.
    std::string pos_user = "pos";
    std::string pos_password;
    std::string replica_user = "replica";
    std::string replica_password;
    // GET /api/v{1,2}/status without credentials on a loopback listener, for monitoring
    // (docs/api.md); false: credentials as on every other route.
    bool status_open = true;
    // [module]
    std::string name = "piotd";
    std::string inn;
    std::string service_url;
    // [upstream]: replication source (docs/replication.md); empty = none
    std::string upstream_url;
    std::string upstream_user = "admin";
    std::string upstream_password;
    unsigned sync_period_s = 60;
    std::size_t snapshot_batch_items = 50'000;  // items per write transaction of a snapshot
    std::size_t upstream_timeout_ms = 30'000;   // one connect, read or write; a stall ends there
    // [replication]: serving lists to the tills below (docs/replication.md); a snapshot request
    // past this many streams at once gets 503 with Retry-After
    std::size_t max_snapshot_streams = 8;
    // [kkt]: the fiscal register (docs/drivers.md); empty device = none
    std::string kkt_device;  // serial device path, or tcp://HOST:PORT
    unsigned kkt_baud = 115200;
    std::uint32_t kkt_password = 30;
    // [metrics]: GET /metrics without credentials, for scrapers (docs/operations.md)
    bool metrics_open = false;
    // [relay]: the document relay (docs/relay.md)
    RelayConfig relay;
    // [trueapi]: permissive-mode online checks (docs/permissive-mode.md)
    TrueApiConfig trueapi;
    // [local_module]: the store's local module piotd stands in front of (docs/local-module.md)
    LocalModuleConfig local_module;
    // [log]
    LogLevel log_level = LogLevel::info;
    // --demo: admin:admin, ready, seeded demo lists.
    bool demo = false;
    // [scanner], [image] (docs/drivers.md)
    ScannerConfig scanner{};
    ImageConfig image{};
};

// Reads an INI file into `config`. Throws std::runtime_error("FILE:LINE: …") on a syntax error,
// an unknown key or a bad value, so a typo is found at start, not in production.
void load_config_file(const std::filesystem::path& file, Config& config);

// Applies PIOTD_USER / PIOTD_PASSWORD / PIOTD_UPSTREAM_USER / PIOTD_UPSTREAM_PASSWORD (and the
// relay's, the token, PIOTD_LM_USER / PIOTD_LM_PASSWORD) when set.
void apply_environment(Config& config);

// A whole number from min to max, or std::runtime_error naming `key`.
std::size_t to_size(std::string_view key, std::string_view value, std::size_t min, std::size_t max);

// With a local module and no relay of its own, sales and returns go to that LM (relay kind lm,
// the LM's credentials): docs/local-module.md. Called once every source has been applied.
void apply_local_module_relay(Config& config);

// Sets one key ("section.key") from text; shared by the file reader and tests.
void set_config_value(Config& config, std::string_view section, std::string_view key,
                      std::string_view value);

}  // namespace piotd::daemon
