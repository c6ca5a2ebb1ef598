// piotctl init and sync now: the two state-changing calls of the module.
#include <iostream>

#include "ctl/ctl_context.hpp"
#include "ctl/exit_code.hpp"
#include "protocol/json/json_writer.hpp"

namespace piotd::ctl {

int run_init(CtlContext& context, const std::vector<std::string>& args) {
    if (args.size() != 1) throw CtlUsageError("init needs one TOKEN (or - to read it from stdin)");
    std::string token = args[0];
    // A token on the command line is visible in the process list; stdin is not.
    if (token == "-") {
        std::getline(context.in, token);
        while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
    }
    if (token.empty()) throw CtlUsageError("the token is empty");
    piotd::protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    protocol::write_key(writer, "token");
    protocol::write_string(writer, token);
    writer.EndObject();
    const HttpAnswer answer =
        context.client.post("/api/v1/init", std::string(buffer.GetString(), buffer.GetSize()));
    if (answer.status / 100 != 2) return report_error_answer(context, answer, "init");
    if (context.options.json) {
        context.out << (answer.body.empty() ? "{}" : answer.body) << "\n";
    } else {
        context.out << "token accepted; the module loads its lists now (see piotctl status)\n";
    }
    return kOk;
}

int run_sync(CtlContext& context, const std::vector<std::string>& args) {
    if (args.size() != 1 || args[0] != "now") throw CtlUsageError("usage: piotctl sync now");
    const HttpAnswer answer = context.client.post("/api/v1/replication/sync", "");
    if (answer.status == 409) {
        if (context.options.json) {
            context.out << answer.body << "\n";
        } else {
            context.err << "piotctl: this piotd has no replication upstream ([upstream] url in "
                           "its config); nothing to sync\n";
        }
        return kProblem;
    }
    if (answer.status / 100 != 2) return report_error_answer(context, answer, "sync now");
    if (context.options.json) {
        context.out << answer.body << "\n";
    } else {
        context.out << "sync requested; piotctl status shows the result\n";
    }
    return kOk;
}

}  // namespace piotd::ctl
