#include "daemon/relay/relay_config.hpp"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace piotd::daemon {

namespace {

std::size_t number(std::string_view key, std::string_view value, std::size_t min, std::size_t max) {
    std::size_t result = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), result);
    if (ec != std::errc{} || end != value.data() + value.size() || result < min || result > max) {
        throw std::runtime_error("relay." + std::string(key) + " must be a whole number from " +
                                 std::to_string(min) + " to " + std::to_string(max));
    }
    return result;
}

unsigned small(std::string_view key, std::string_view value, unsigned min, unsigned max) {
    return static_cast<unsigned>(number(key, value, min, max));
}

}  // namespace

std::optional<RelayKind> parse_relay_kind(std::string_view text) {
    if (text == "piotd") return RelayKind::piotd;
    if (text == "lm") return RelayKind::lm;
    if (text == "trueapi") return RelayKind::trueapi;
    return std::nullopt;
}

std::string_view relay_kind_name(RelayKind kind) {
    switch (kind) {
        case RelayKind::piotd:
            return "piotd";
        case RelayKind::lm:
            return "lm";
        case RelayKind::trueapi:
            return "trueapi";
    }
    return "unknown";
}

void set_relay_config_value(RelayConfig& relay, std::string_view key, std::string_view value) {
    if (key == "url") {
        relay.url = value;
    } else if (key == "kind") {
        const auto kind = parse_relay_kind(value);
        if (!kind) throw std::runtime_error("relay.kind must be piotd, lm or trueapi");
        relay.kind = *kind;
    } else if (key == "user") {
        relay.user = value;
    } else if (key == "password") {
        relay.password = value;
    } else if (key == "token") {
        relay.token = value;
    } else if (key == "sign_command") {
        relay.sign_command = value;
    } else if (key == "sign_timeout_ms") {
        relay.sign_timeout_ms = small(key, value, 100, 600'000);
    } else if (key == "timeout_ms") {
        relay.timeout_ms = small(key, value, 100, 600'000);
    } else if (key == "backoff_min_ms") {
        relay.backoff_min_ms = small(key, value, 1, 3'600'000);
    } else if (key == "backoff_max_ms") {
        relay.backoff_max_ms = small(key, value, 1, 86'400'000);
    } else if (key == "dead_after") {
        relay.dead_after = small(key, value, 1, 1000);
    } else if (key == "poll_ms") {
        relay.poll_ms = small(key, value, 10, 3'600'000);
    } else if (key == "batch") {
        relay.batch = small(key, value, 1, 10'000);
    } else if (key == "retention_days") {
        relay.retention_days = small(key, value, 1, 3650);
    } else if (key == "keep_max") {
        relay.keep_max = number(key, value, 0, 100'000'000);
    } else if (key == "warn_queued") {
        relay.warn_queued = number(key, value, 1, 100'000'000);
    } else if (key == "warn_age_s") {
        relay.warn_age_s = small(key, value, 1, 365 * 86'400);
    } else if (key == "warn_free_mb") {
        relay.warn_free_mb = number(key, value, 0, 1u << 24);
    } else {
        throw std::runtime_error("unknown key relay." + std::string(key));
    }
}

void apply_relay_environment(RelayConfig& relay) {
    if (const char* user = std::getenv("PIOTD_RELAY_USER"); user && *user) relay.user = user;
    if (const char* password = std::getenv("PIOTD_RELAY_PASSWORD"); password && *password) {
        relay.password = password;
    }
    if (const char* token = std::getenv("PIOTD_RELAY_TOKEN"); token && *token) relay.token = token;
}

}  // namespace piotd::daemon
