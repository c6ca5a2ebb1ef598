// piotctl: the operator's tool for a running piotd. See docs/piotctl.md.
#include <iostream>

#include "ctl/ctl_context.hpp"
#include "ctl/exit_code.hpp"
#include "daemon/replication/upstream_url.hpp"

using namespace piotd::ctl;

int main(int argc, char** argv) {
    try {
        const CtlOptions options = parse_ctl_options(argc, argv);
        const std::string& command = options.args[0];
        const std::vector<std::string> args(options.args.begin() + 1, options.args.end());
        if (command == "help") {
            std::cout << ctl_usage_text();
            return kOk;
        }
        const Connection connection = resolve_connection(options);
        piotd::daemon::UpstreamUrl url;
        try {
            url = piotd::daemon::parse_upstream_url(connection.url);
        } catch (const std::exception& e) {
            throw CtlUsageError(std::string("--url: ") + e.what());
        }
        DaemonClient client(url, connection.user, connection.password,
                            std::chrono::milliseconds(options.timeout_ms));
        CtlContext context{options, connection, client, std::cin, std::cout, std::cerr};
        try {
            if (command == "status" && args.empty()) return run_status(context);
            if (command == "check") return run_check(context, args);
            if (command == "init") return run_init(context, args);
            if (command == "sync") return run_sync(context, args);
            if (command == "outbox") return run_outbox(context, args);
            if (command == "journal") return run_journal(context, args);
            if (command == "doctor" && args.empty()) return run_doctor(context);
        } catch (const Unreachable& e) {
            std::cerr << "piotctl: daemon unreachable: " << e.what()
                      << "\n(is piotd running? systemctl status piotd; piotctl doctor)\n";
            return kUnreachable;
        }
        throw CtlUsageError("unknown command '" + command + "'");
    } catch (const CtlUsageError& e) {
        std::cerr << "piotctl: " << e.what() << "\n" << ctl_usage_text();
        return kUsage;
    } catch (const std::exception& e) {
        std::cerr << "piotctl: " << e.what() << "\n";
        return kProblem;
    }
}
