// The [relay] section of the config file and its flags (docs/relay.md, docs/configuration.md):
// where documents go upstream, with which credentials, how they are signed, retried and kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace piotd::daemon {

enum class RelayKind : std::uint8_t { piotd, lm, trueapi };

std::optional<RelayKind> parse_relay_kind(std::string_view text);
std::string_view relay_kind_name(RelayKind kind);

struct RelayConfig {
    std::string url;  // empty: no relay; documents are kept here (state local)
    RelayKind kind = RelayKind::piotd;
    std::string user = "admin";  // piotd, lm: Basic credentials (PIOTD_RELAY_USER)
    std::string password;        // PIOTD_RELAY_PASSWORD
    std::string token;           // trueapi: Bearer token (PIOTD_RELAY_TOKEN, else the password)
    std::string sign_command;    // trueapi: signs stdin, signature on stdout
    unsigned sign_timeout_ms = 10'000;
    unsigned timeout_ms = 15'000;       // one network operation
    unsigned backoff_min_ms = 1'000;    // first retry after a failure
    unsigned backoff_max_ms = 300'000;  // retries are at most this far apart
    unsigned dead_after = 5;            // permanent rejections before dead
    unsigned poll_ms = 5'000;           // trueapi: document status poll period
    unsigned batch = 256;               // documents per relay round (one commit)
    unsigned retention_days = 30;       // delivered/local documents kept this long
    std::size_t keep_max = 100'000;     // and at most this many
    std::size_t warn_queued = 10'000;   // status warning: more pending than this
    unsigned warn_age_s = 3'600;        // or the oldest pending older than this
    std::size_t warn_free_mb = 256;     // or less free disk (or map) than this
};

// Sets relay.<key>; throws std::runtime_error naming the key and what is wrong.
void set_relay_config_value(RelayConfig& relay, std::string_view key, std::string_view value);
// PIOTD_RELAY_USER / PIOTD_RELAY_PASSWORD / PIOTD_RELAY_TOKEN when set.
void apply_relay_environment(RelayConfig& relay);

}  // namespace piotd::daemon
