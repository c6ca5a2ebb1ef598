// The [trueapi] section of the config file (docs/configuration.md): permissive-mode online checks.
// Flags (--true-api, --ca-file, --fiscal-drive, --online-budget-ms, --piot-listen) and PIOTD_TOKEN
// override it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace piotd::daemon {

struct TrueApiConfig {
    std::string url = "https://cdn.crpt.ru";      // where cdn/info is asked; empty: offline only
    std::string ca_file;                          // an extra CA (PEM) besides the system ones
    std::string token;                            // X-API-KEY; empty: the token from /init
    std::string fiscal_drive;                     // fiscalDriveNumber when the POS sends none
    unsigned online_budget_ms = 1500;             // the whole online attempt, failover included
    bool parallel_local = false;                  // also refuse what the local sold set says sold
    std::string piot_listen = "127.0.0.1:51401";  // the ТС ПИоТ API; empty: off
    bool piot_listen_explicit = false;            // set by flag or file: a taken port is then fatal
    std::string piot_cert_file;  // HTTPS for the ТС ПИоТ API (PEM chain), with piot_key_file
    std::string piot_key_file;
    std::string kkt_serial;  // reported by /api/vN/info
    std::string kkt_inn;
    // Scan-ahead (docs/local-module.md): how long a verdict checked when a code was seen waits
    // for its sale's check (0: off), and how many codes may wait at once.
    unsigned ahead_window_ms = 60'000;
    std::size_t ahead_max_codes = 10'000;
    std::size_t journal_max_entries = 100'000;
    unsigned journal_max_age_days = 30;
};

// One key of [trueapi]; throws std::runtime_error naming the key on a bad value or unknown key.
void set_trueapi_value(TrueApiConfig& config, std::string_view key, std::string_view value);

}  // namespace piotd::daemon
