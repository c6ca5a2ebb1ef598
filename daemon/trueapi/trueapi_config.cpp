#include "daemon/trueapi/trueapi_config.hpp"

#include <charconv>
#include <stdexcept>

namespace piotd::daemon {

namespace {

std::uint64_t bounded(std::string_view key, std::string_view value, std::uint64_t low,
                      std::uint64_t high) {
    std::uint64_t number = 0;
    const char* end = value.data() + value.size();
    const auto parsed = std::from_chars(value.data(), end, number);
    if (parsed.ec != std::errc{} || parsed.ptr != end || number < low || number > high) {
        throw std::runtime_error("trueapi." + std::string(key) + " must be from " +
                                 std::to_string(low) + " to " + std::to_string(high));
    }
    return number;
}

}  // namespace

void set_trueapi_value(TrueApiConfig& config, std::string_view key, std::string_view value) {
    if (key == "url") {
        config.url = value;
    } else if (key == "ca_file") {
        config.ca_file = value;
    } else if (key == "token") {
        config.token = value;
    } else if (key == "fiscal_drive") {
        config.fiscal_drive = value;
    } else if (key == "online_budget_ms") {
        config.online_budget_ms = static_cast<unsigned>(bounded(key, value, 50, 60'000));
    } else if (key == "parallel_local") {
        if (value != "true" && value != "false") {
            throw std::runtime_error("trueapi.parallel_local must be true or false");
        }
        config.parallel_local = value == "true";
    } else if (key == "piot_listen") {
        config.piot_listen = value;
        config.piot_listen_explicit = true;
    } else if (key == "piot_cert_file") {
        config.piot_cert_file = value;
    } else if (key == "piot_key_file") {
        config.piot_key_file = value;
    } else if (key == "kkt_serial") {
        config.kkt_serial = value;
    } else if (key == "kkt_inn") {
        config.kkt_inn = value;
    } else if (key == "ahead_window_ms") {
        config.ahead_window_ms = static_cast<unsigned>(bounded(key, value, 0, 3'600'000));
    } else if (key == "ahead_max_codes") {
        config.ahead_max_codes = bounded(key, value, 1, 1'000'000);
    } else if (key == "journal_max_entries") {
        config.journal_max_entries = bounded(key, value, 1, 100'000'000);
    } else if (key == "journal_max_age_days") {
        config.journal_max_age_days = static_cast<unsigned>(bounded(key, value, 1, 3650));
    } else {
        throw std::runtime_error("unknown key trueapi." + std::string(key));
    }
}

}  // namespace piotd::daemon
