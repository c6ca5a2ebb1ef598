#include "daemon/scanner/scanner_config.hpp"

#include "daemon/config.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

namespace piotd::daemon {

namespace {

std::optional<char> hex_byte(std::string_view key, std::string_view value) {
    unsigned byte = 0;
    if (value.size() == 4 && value.starts_with("0x")) {
        const auto [end, ec] = std::from_chars(value.data() + 2, value.data() + 4, byte, 16);
        if (ec == std::errc{} && end == value.data() + 4) return static_cast<char>(byte);
    }
    throw std::runtime_error(std::string(key) + ": expected a byte 0xNN");
}

void set_suffix(drivers::ScanFramerOptions& framing, std::string_view value) {
    using drivers::ScanSuffix;
    if (value == "cr") {
        framing.suffix = ScanSuffix::cr;
    } else if (value == "lf") {
        framing.suffix = ScanSuffix::lf;
    } else if (value == "crlf") {
        framing.suffix = ScanSuffix::crlf;
    } else if (value == "none") {
        framing.suffix = ScanSuffix::none;
    } else if (value.starts_with("0x")) {
        framing.suffix = ScanSuffix::custom;
        framing.custom_byte = *hex_byte("scanner.suffix", value);
    } else {
        throw std::runtime_error("scanner.suffix must be cr, lf, crlf, none or a byte 0xNN");
    }
}

}  // namespace

bool set_scanner_config_value(ScannerConfig& config, std::string_view key, std::string_view value) {
    using std::chrono::milliseconds;
    if (key == "device") {
        if (!value.empty() && !drivers::parse_serial_device(value)) {
            throw std::runtime_error("scanner.device must be a path or a USB id vvvv:pppp");
        }
        config.device = value;
    } else if (key == "baud") {
        const auto baud = static_cast<unsigned>(to_size("scanner.baud", value, 50, 4'000'000));
        if (!drivers::is_standard_baud(baud)) {
            throw std::runtime_error("scanner.baud is not a standard speed (9600, 115200, …)");
        }
        config.serial.baud = baud;
    } else if (key == "data_bits") {
        config.serial.data_bits = static_cast<unsigned>(to_size("scanner.data_bits", value, 5, 8));
    } else if (key == "stop_bits") {
        config.serial.stop_bits = static_cast<unsigned>(to_size("scanner.stop_bits", value, 1, 2));
    } else if (key == "parity") {
        const auto parity = drivers::parse_parity(value);
        if (!parity)
            throw std::runtime_error("scanner.parity must be none, odd, even, mark, space");
        config.serial.parity = *parity;
    } else if (key == "flow_control") {
        const auto flow = drivers::parse_flow_control(value);
        if (!flow) {
            throw std::runtime_error(
                "scanner.flow_control must be none, xon_xoff, rts_cts, dtr_dsr");
        }
        config.serial.flow = *flow;
    } else if (key == "suffix") {
        set_suffix(config.framing, value);
    } else if (key == "prefix") {
        config.prefix = value == "none" ? std::nullopt : hex_byte("scanner.prefix", value);
    } else if (key == "max_frame") {
        config.framing.max_frame = to_size("scanner.max_frame", value, 16, 65'536);
    } else if (key == "frame_gap_ms") {
        config.frame_gap = milliseconds(to_size("scanner.frame_gap_ms", value, 5, 10'000));
    } else if (key == "reconnect_max_ms") {
        config.reconnect_max =
            milliseconds(to_size("scanner.reconnect_max_ms", value, 50, 600'000));
    } else if (key == "event_queue") {
        config.event_queue = to_size("scanner.event_queue", value, 1, 100'000);
    } else if (key == "keepalive_s") {
        config.keepalive = std::chrono::seconds(to_size("scanner.keepalive_s", value, 1, 3600));
    } else {
        return false;
    }
    return true;
}

bool set_image_config_value(ImageConfig& config, std::string_view key, std::string_view value) {
    if (key == "max_bytes") {
        config.max_bytes = to_size("image.max_bytes", value, 1024, 256u << 20);
    } else if (key == "max_pixels") {
        config.max_pixels = to_size("image.max_pixels", value, 1024, 400'000'000);
    } else if (key == "workers") {
        config.workers = static_cast<unsigned>(to_size("image.workers", value, 1, 64));
    } else if (key == "queue") {
        config.queue = to_size("image.queue", value, 0, 1024);
    } else {
        return false;
    }
    return true;
}

drivers::ScannerOptions scanner_options(const ScannerConfig& config) {
    drivers::ScannerOptions options;
    options.device = *drivers::parse_serial_device(config.device);
    options.serial = config.serial;
    options.framing = config.framing;
    options.frame_gap = config.frame_gap;
    options.strip_prefix = config.prefix;
    options.reconnect.max = config.reconnect_max;
    if (options.reconnect.initial > options.reconnect.max) {
        options.reconnect.initial = options.reconnect.max;
    }
    return options;
}

}  // namespace piotd::daemon
