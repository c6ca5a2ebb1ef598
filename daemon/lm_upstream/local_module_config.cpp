#include "daemon/lm_upstream/local_module_config.hpp"

#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace piotd::daemon {

namespace {

unsigned bounded(std::string_view key, std::string_view value, unsigned low, unsigned high) {
    unsigned number = 0;
    const char* end = value.data() + value.size();
    const auto parsed = std::from_chars(value.data(), end, number);
    if (parsed.ec != std::errc{} || parsed.ptr != end || number < low || number > high) {
        throw std::runtime_error("local_module." + std::string(key) + " must be from " +
                                 std::to_string(low) + " to " + std::to_string(high));
    }
    return number;
}

}  // namespace

std::optional<LmFailurePolicy> parse_lm_failure_policy(std::string_view text) {
    if (text == "no_tag") return LmFailurePolicy::no_tag;
    if (text == "own") return LmFailurePolicy::own;
    if (text == "deny") return LmFailurePolicy::deny;
    return std::nullopt;
}

std::string_view lm_failure_policy_name(LmFailurePolicy policy) {
    switch (policy) {
        case LmFailurePolicy::no_tag:
            return "no_tag";
        case LmFailurePolicy::own:
            return "own";
        case LmFailurePolicy::deny:
            return "deny";
    }
    return "no_tag";
}

void set_local_module_value(LocalModuleConfig& config, std::string_view key,
                            std::string_view value) {
    if (key == "url") {
        config.url = value;
    } else if (key == "user") {
        config.user = value;
    } else if (key == "password") {
        config.password = value;
    } else if (key == "api") {
        if (value == "auto") {
            config.api = LmApiChoice::automatic;
        } else if (value == "1") {
            config.api = LmApiChoice::v1;
        } else if (value == "2") {
            config.api = LmApiChoice::v2;
        } else {
            throw std::runtime_error("local_module.api must be auto, 1 or 2");
        }
    } else if (key == "timeout_ms") {
        config.timeout_ms = bounded(key, value, 10, 10'000);
    } else if (key == "status_timeout_ms") {
        config.status_timeout_ms = bounded(key, value, 100, 60'000);
    } else if (key == "poll_period_ms") {
        config.poll_period_ms = bounded(key, value, 100, 3'600'000);
    } else if (key == "failures_to_open") {
        config.failures_to_open = bounded(key, value, 1, 1000);
    } else if (key == "open_min_ms") {
        config.open_min_ms = bounded(key, value, 10, 3'600'000);
    } else if (key == "open_max_ms") {
        config.open_max_ms = bounded(key, value, 10, 86'400'000);
    } else if (key == "on_failure") {
        const auto policy = parse_lm_failure_policy(value);
        if (!policy)
            throw std::runtime_error("local_module.on_failure must be no_tag, own or deny");
        config.on_failure = *policy;
    } else if (key == "client_id") {
        config.client_id = value;
    } else {
        throw std::runtime_error("unknown key local_module." + std::string(key));
    }
}

void apply_local_module_environment(LocalModuleConfig& config) {
    if (const char* user = std::getenv("PIOTD_LM_USER"); user && *user) config.user = user;
    if (const char* password = std::getenv("PIOTD_LM_PASSWORD"); password && *password) {
        config.password = password;
    }
}

}  // namespace piotd::daemon
