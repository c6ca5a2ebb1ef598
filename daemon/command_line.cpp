#include "daemon/command_line.hpp"

#include <string_view>

namespace piotd::daemon {

const char* usage_text() {
    return "usage:\n"
           "  piotd [--config FILE] [--data-dir DIR] [--listen ADDR:PORT] [--demo]\n"
           "        [--threads N] [--map-size-mb N] [--log-level error|warning|info|debug]\n"
           "        [--upstream http://HOST:PORT] [--sync-period SECONDS]\n"
           "        [--max-snapshot-streams N]\n"
           "        [--kkt DEVICE|tcp://HOST:PORT]\n"
           "        [--relay URL] [--relay-kind piotd|lm|trueapi] [--sign-command CMD]\n"
           "        [--scanner DEVICE]   (DEVICE: /dev/ttyACM0 or a USB id vvvv:pppp)\n"
           "        [--true-api URL] [--ca-file FILE] [--fiscal-drive NUMBER]\n"
           "        [--online-budget-ms MS] [--piot-listen ADDR:PORT]\n"
           "        [--local-module http[s]://HOST:PORT]   (the store's ЛМ ЧЗ; PIOTD_LM_USER,\n"
           "         PIOTD_LM_PASSWORD)\n"
           "  piotd import [--config FILE] --data-dir DIR --list NAME [--append] FILE|-\n"
           "        NAME: blocked_cis, blocked_gtin, blocked_series, min_price, learned\n"
           "  piotd --version\n"
           "  piotd --help\n";
}

CommandLine parse_command_line(int argc, const char* const* argv) {
    CommandLine line;
    int i = 1;
    if (argc > 1 && std::string_view(argv[1]) == "import") {
        line.command = Command::import;
        ++i;
    }
    for (; i < argc; ++i) {
        std::string_view arg = argv[i];
        std::optional<std::string> inline_value;
        if (arg.starts_with("--")) {
            if (const auto eq = arg.find('='); eq != std::string_view::npos) {
                inline_value = std::string(arg.substr(eq + 1));
                arg = arg.substr(0, eq);
            }
        }
        auto value = [&]() -> std::string {
            if (inline_value) return *inline_value;
            if (i + 1 >= argc) throw UsageError(std::string(arg) + " needs a value");
            return argv[++i];
        };
        auto no_value = [&] {
            if (inline_value) throw UsageError(std::string(arg) + " takes no value");
        };
        if (arg == "--config") {
            line.config_file = value();
        } else if (arg == "--data-dir") {
            line.data_dir = value();
        } else if (arg == "--listen" && line.command == Command::run) {
            line.listen = value();
        } else if (arg == "--threads" && line.command == Command::run) {
            line.threads = value();
        } else if (arg == "--map-size-mb") {
            line.map_size_mb = value();
        } else if (arg == "--log-level") {
            line.log_level = value();
        } else if (arg == "--upstream" && line.command == Command::run) {
            line.upstream = value();
        } else if (arg == "--sync-period" && line.command == Command::run) {
            line.sync_period = value();
        } else if (arg == "--max-snapshot-streams" && line.command == Command::run) {
            line.max_snapshot_streams = value();
        } else if (arg == "--kkt" && line.command == Command::run) {
            line.kkt = value();
        } else if (arg == "--relay" && line.command == Command::run) {
            line.relay = value();
        } else if (arg == "--relay-kind" && line.command == Command::run) {
            line.relay_kind = value();
        } else if (arg == "--sign-command" && line.command == Command::run) {
            line.sign_command = value();
        } else if (arg == "--scanner" && line.command == Command::run) {
            line.scanner = value();
        } else if (arg == "--true-api" && line.command == Command::run) {
            line.true_api = value();
        } else if (arg == "--ca-file" && line.command == Command::run) {
            line.ca_file = value();
        } else if (arg == "--fiscal-drive" && line.command == Command::run) {
            line.fiscal_drive = value();
        } else if (arg == "--online-budget-ms" && line.command == Command::run) {
            line.online_budget_ms = value();
        } else if (arg == "--piot-listen" && line.command == Command::run) {
            line.piot_listen = value();
        } else if (arg == "--local-module" && line.command == Command::run) {
            line.local_module = value();
        } else if (arg == "--demo" && line.command == Command::run) {
            no_value();
            line.demo = true;
        } else if (arg == "--list" && line.command == Command::import) {
            line.list = value();
        } else if (arg == "--append" && line.command == Command::import) {
            no_value();
            line.append = true;
        } else if (arg == "--version") {
            no_value();
            line.command = Command::version;
        } else if (arg == "--help" || arg == "-h") {
            line.command = Command::help;
        } else if (line.command == Command::import && !line.input &&
                   (arg == "-" || !arg.starts_with("-"))) {
            line.input = std::string(arg);
        } else {
            throw UsageError("unknown argument: " + std::string(arg));
        }
    }
    if (line.command == Command::import) {
        if (!line.data_dir && !line.config_file) throw UsageError("import needs --data-dir DIR");
        if (!line.list) throw UsageError("import needs --list NAME");
        if (!line.input) throw UsageError("import needs a FILE (or - for stdin)");
    }
    return line;
}

}  // namespace piotd::daemon
