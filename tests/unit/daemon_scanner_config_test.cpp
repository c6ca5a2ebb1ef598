// The [scanner] and [image] config sections and the --scanner flag.
#include <doctest/doctest.h>

#include <stdexcept>

#include "daemon/command_line.hpp"
#include "daemon/config.hpp"

using namespace piotd::daemon;
using piotd::drivers::FlowControl;
using piotd::drivers::Parity;
using piotd::drivers::ScanSuffix;

TEST_SUITE("daemon.config") {
    TEST_CASE("[scanner] keys set the driver's options") {
        Config config;
        set_config_value(config, "scanner", "device", "usb:0c2e:0b61");
        set_config_value(config, "scanner", "baud", "115200");
        set_config_value(config, "scanner", "parity", "even");
        set_config_value(config, "scanner", "data_bits", "7");
        set_config_value(config, "scanner", "stop_bits", "2");
        set_config_value(config, "scanner", "flow_control", "rts_cts");
        set_config_value(config, "scanner", "suffix", "0x03");
        set_config_value(config, "scanner", "reconnect_max_ms", "1000");
        set_config_value(config, "scanner", "prefix", "0x02");
        const auto options = scanner_options(config.scanner);
        CHECK(options.device.describe() == "usb:0c2e:0b61");
        CHECK(options.serial.baud == 115200);
        CHECK(options.serial.parity == Parity::even);
        CHECK(options.serial.data_bits == 7);
        CHECK(options.serial.stop_bits == 2);
        CHECK(options.serial.flow == FlowControl::rts_cts);
        CHECK(options.framing.suffix == ScanSuffix::custom);
        CHECK(options.framing.custom_byte == '\x03');
        CHECK(options.reconnect.max.count() == 1000);
        CHECK(options.strip_prefix == '\x02');

        set_config_value(config, "scanner", "suffix", "none");
        set_config_value(config, "scanner", "frame_gap_ms", "80");
        CHECK(scanner_options(config.scanner).framing.suffix == ScanSuffix::none);
        CHECK(scanner_options(config.scanner).frame_gap.count() == 80);
    }

    TEST_CASE("bad [scanner] and [image] values are refused by name") {
        Config config;
        const auto refused = [&](const char* section, const char* key, const char* value) {
            try {
                set_config_value(config, section, key, value);
            } catch (const std::runtime_error& e) {
                return std::string(e.what()).find(std::string(section) + "." + key) !=
                           std::string::npos ||
                       std::string(e.what()).find("unknown key") != std::string::npos;
            }
            return false;
        };
        CHECK(refused("scanner", "baud", "12345"));
        CHECK(refused("scanner", "baud", "fast"));
        CHECK(refused("scanner", "parity", "sometimes"));
        CHECK(refused("scanner", "suffix", "tab"));
        CHECK(refused("scanner", "suffix", "0xZZ"));
        CHECK(refused("scanner", "prefix", "stx"));
        CHECK(refused("scanner", "device", "usb:12:34"));
        CHECK(refused("scanner", "colour", "red"));
        CHECK(refused("image", "max_bytes", "10"));
        CHECK(refused("image", "workers", "0"));
        CHECK(refused("image", "size", "1"));
    }

    TEST_CASE("[image] keys and --scanner") {
        Config config;
        set_config_value(config, "image", "max_bytes", "1048576");
        set_config_value(config, "image", "workers", "2");
        set_config_value(config, "image", "queue", "0");
        CHECK(config.image.max_bytes == 1048576);
        CHECK(config.image.workers == 2);
        CHECK(config.image.queue == 0);

        const char* argv[] = {"piotd", "--demo", "--scanner", "/dev/ttyACM0"};
        const CommandLine line = parse_command_line(4, argv);
        REQUIRE(line.scanner);
        CHECK(*line.scanner == "/dev/ttyACM0");
        const char* import_argv[] = {"piotd",       "import",    "--data-dir", "d", "--list",
                                     "blocked_cis", "--scanner", "x",          "f"};
        CHECK_THROWS_AS(parse_command_line(9, import_argv), UsageError);
    }
}
