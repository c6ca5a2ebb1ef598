// The [scanner] and [image] sections of the config file (docs/configuration.md, docs/drivers.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "drivers/scanner/scanner.hpp"

namespace piotd::daemon {

struct ScannerConfig {
    std::string device;  // path or [usb:]vvvv:pppp; empty: no scanner
    drivers::SerialSettings serial{};
    drivers::ScanFramerOptions framing{};
    std::chrono::milliseconds frame_gap{60};        // suffix = none
    std::optional<char> prefix;                     // header byte stripped from each scan
    std::chrono::milliseconds reconnect_max{5000};  // longest wait between open attempts
    std::size_t event_queue = 64;                   // SSE events queued per client before drop
    std::chrono::seconds keepalive{15};             // SSE comment when idle this long
};

struct ImageConfig {
    std::size_t max_bytes = 8u << 20;     // larger uploads get 413
    std::size_t max_pixels = 40'000'000;  // larger images get 413 before decoding
    unsigned workers = 1;                 // decoding threads
    std::size_t queue = 4;                // waiting uploads beyond the workers; more get 503
};

// One key of [scanner] / [image] (suffix: cr, lf, crlf, none or a byte 0xNN; prefix: none or a
// byte 0xNN). Throws
// std::runtime_error naming the key on a bad value; false when `key` is unknown.
bool set_scanner_config_value(ScannerConfig& config, std::string_view key, std::string_view value);
bool set_image_config_value(ImageConfig& config, std::string_view key, std::string_view value);

// The driver's options for this config (the device text already validated).
drivers::ScannerOptions scanner_options(const ScannerConfig& config);

}  // namespace piotd::daemon
