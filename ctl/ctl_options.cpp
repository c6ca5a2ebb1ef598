#include "ctl/ctl_options.hpp"

#include <cstdlib>
#include <filesystem>

namespace piotd::ctl {

namespace {

std::string value_of(int& i, int argc, const char* const* argv, const std::string& flag) {
    if (i + 1 >= argc) throw CtlUsageError(flag + " needs a value");
    return argv[++i];
}

}  // namespace

const char* ctl_usage_text() {
    return R"(usage: piotctl [options] COMMAND [ARGS]
commands:
  status                     module state, lists, upstreams, outbox, data size
  check [CODE… | -]          check codes (from stdin, one a line, when none or -)
  init TOKEN|-               give the module its token (- reads it from stdin)
  sync now                   ask for a replication round now
  outbox list [--state S] [--limit N]
                             documents of the sell/return outbox in one state (default dead)
  outbox show ID             one document
  outbox retry ID            send a dead document again
  journal tail [--limit N]   the last checks from the check journal (default 50)
  doctor                     find what is wrong and say how to fix it
options:
  --config FILE      config file (default /etc/piotd/piotd.conf)
  --url URL          the daemon (default: from [server] listen in the config)
  --user USER        API user (default: from the config)
  --password PASS    API password (default: PIOTD_PASSWORD, then the config)
  --json             machine-readable output
  --timeout MS       per request (default 10000)
exit codes: 0 ok, 1 problem found, 2 usage, 3 daemon unreachable, 4 credentials refused,
            5 daemon does not support the command, 6 daemon answered an error,
            7 no such outbox document
)";
}

CtlOptions parse_ctl_options(int argc, const char* const* argv) {
    CtlOptions options;
    bool options_done = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (options_done || arg.size() < 2 || arg[0] != '-' || arg[1] != '-') {
            options.args.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_done = true;
        } else if (arg == "--config") {
            options.config_file = value_of(i, argc, argv, arg);
            options.config_given = true;
        } else if (arg == "--url") {
            options.url = value_of(i, argc, argv, arg);
        } else if (arg == "--user") {
            options.user = value_of(i, argc, argv, arg);
        } else if (arg == "--password") {
            options.password = value_of(i, argc, argv, arg);
        } else if (arg == "--json") {
            options.json = true;
        } else if (arg == "--timeout") {
            const std::string text = value_of(i, argc, argv, arg);
            char* end = nullptr;
            const unsigned long value = std::strtoul(text.c_str(), &end, 10);
            if (text.empty() || *end != '\0' || value == 0 || value > 3'600'000) {
                throw CtlUsageError("--timeout must be 1…3600000 milliseconds");
            }
            options.timeout_ms = static_cast<unsigned>(value);
        } else if (arg == "--help") {
            options.args = {"help"};
            return options;
        } else if (arg == "--limit" || arg == "--state") {
            // A command option: kept for the command to parse.
            options.args.push_back(arg);
            options.args.push_back(value_of(i, argc, argv, arg));
        } else {
            throw CtlUsageError("unknown option " + arg);
        }
    }
    if (options.args.empty()) throw CtlUsageError("no command");
    return options;
}

std::string url_for_listen(const std::string& listen) {
    std::string host_port = listen;
    if (host_port.starts_with("0.0.0.0:")) host_port = "127.0.0.1" + host_port.substr(7);
    if (host_port.starts_with("[::]:")) host_port = "127.0.0.1" + host_port.substr(4);
    return "http://" + host_port;
}

Connection resolve_connection(const CtlOptions& options) {
    Connection c;
    std::error_code ec;
    if (options.config_given || std::filesystem::exists(options.config_file, ec)) {
        try {
            daemon::load_config_file(options.config_file, c.config);
        } catch (const std::exception& e) {
            c.config_error = e.what();
        }
    }
    if (const char* password = std::getenv("PIOTD_PASSWORD"); password != nullptr) {
        c.config.password = password;
    }
    if (const char* user = std::getenv("PIOTD_USER"); user != nullptr) c.config.user = user;
    c.url = options.url.value_or(url_for_listen(c.config.listen));
    c.user = options.user.value_or(c.config.user);
    c.password = options.password.value_or(c.config.password);
    return c;
}

}  // namespace piotd::ctl
