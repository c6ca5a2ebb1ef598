// The command line. Flag names are a contract: deployment scripts and test harnesses call them.
//   piotd [--config FILE] [--data-dir DIR] [--listen ADDR:PORT] [--demo] [--threads N]
//         [--map-size-mb N] [--log-level LEVEL] [--upstream URL] [--sync-period SECONDS]
//         [--max-snapshot-streams N]
//         [--kkt DEVICE|tcp://HOST:PORT]
//         [--relay URL] [--relay-kind piotd|lm|trueapi] [--sign-command CMD]
//         [--scanner DEVICE]
//         [--true-api URL] [--ca-file FILE] [--fiscal-drive NUMBER] [--online-budget-ms MS]
//         [--piot-listen ADDR:PORT] [--local-module URL]
//   piotd import [--config FILE] --data-dir DIR --list NAME [--append] FILE|-
//   piotd --version | --help
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace piotd::daemon {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class Command { run, import, version, help };

struct CommandLine {
    Command command = Command::run;
    std::optional<std::string> config_file;
    std::optional<std::string> data_dir;
    std::optional<std::string> listen;
    std::optional<std::string> threads;
    std::optional<std::string> map_size_mb;
    std::optional<std::string> log_level;
    std::optional<std::string> upstream;
    std::optional<std::string> sync_period;
    // [replication] max_snapshot_streams
    std::optional<std::string> max_snapshot_streams;
    std::optional<std::string> kkt;           // --kkt DEVICE|tcp://HOST:PORT
    std::optional<std::string> relay;         // --relay URL
    std::optional<std::string> relay_kind;    // --relay-kind piotd|lm|trueapi
    std::optional<std::string> sign_command;  // --sign-command CMD
    std::optional<std::string> scanner;       // a path or [usb:]vvvv:pppp
    // permissive mode (docs/permissive-mode.md)
    std::optional<std::string> true_api;
    std::optional<std::string> ca_file;
    std::optional<std::string> fiscal_drive;
    std::optional<std::string> online_budget_ms;
    std::optional<std::string> piot_listen;
    std::optional<std::string> local_module;  // --local-module URL (docs/local-module.md)
    bool demo = false;
    // import
    std::optional<std::string> list;
    std::optional<std::string> input;  // a path, or "-" for stdin
    bool append = false;
};

// Throws UsageError with a message that names the offending argument.
CommandLine parse_command_line(int argc, const char* const* argv);

const char* usage_text();

}  // namespace piotd::daemon
