// piotctl outbox … and journal tail: thin views over endpoints other components serve
// (the sell/return relay, the check journal). An older daemon without them gets a clear message.
#include <charconv>

#include "ctl/ctl_context.hpp"
#include "ctl/exit_code.hpp"

namespace piotd::ctl {

namespace {

// Message ids go into a path: allow only what an id can be.
std::string checked_id(const std::string& id) {
    if (id.empty() || id.size() > 128) throw CtlUsageError("bad outbox message id");
    for (const char c : id) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
            throw CtlUsageError("bad outbox message id '" + id + "'");
        }
    }
    return id;
}

int show(CtlContext& context, const HttpAnswer& answer, std::string_view feature) {
    if (answer.status / 100 != 2) return report_error_answer(context, answer, feature);
    context.out << (context.options.json ? answer.body : pretty_json(answer.body)) << "\n";
    return kOk;
}

}  // namespace

int run_outbox(CtlContext& context, const std::vector<std::string>& args) {
    if (args.empty()) throw CtlUsageError("usage: piotctl outbox list|show ID|retry ID");
    const std::string& what = args[0];
    if (what == "list" && args.size() == 1) {
        return show(context, context.client.get("/api/v1/outbox"), "the outbox");
    }
    if (what == "show" && args.size() == 2) {
        return show(context, context.client.get("/api/v1/outbox/" + checked_id(args[1])),
                    "the outbox");
    }
    if (what == "retry" && args.size() == 2) {
        return show(context,
                    context.client.post("/api/v1/outbox/" + checked_id(args[1]) + "/retry", ""),
                    "the outbox");
    }
    throw CtlUsageError("usage: piotctl outbox list|show ID|retry ID");
}

int run_journal(CtlContext& context, const std::vector<std::string>& args) {
    if (args.empty() || args[0] != "tail")
        throw CtlUsageError("usage: piotctl journal tail [--limit N]");
    unsigned limit = 50;
    if (args.size() == 3 && args[1] == "--limit") {
        const auto [end, ec] =
            std::from_chars(args[2].data(), args[2].data() + args[2].size(), limit);
        if (ec != std::errc{} || end != args[2].data() + args[2].size() || limit == 0 ||
            limit > 100'000) {
            throw CtlUsageError("--limit must be 1…100000");
        }
    } else if (args.size() != 1) {
        throw CtlUsageError("usage: piotctl journal tail [--limit N]");
    }
    return show(context, context.client.get("/api/v1/journal?limit=" + std::to_string(limit)),
                "the check journal");
}

}  // namespace piotd::ctl
