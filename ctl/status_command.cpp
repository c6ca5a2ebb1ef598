// piotctl status: the status page's data, in a few lines (or its JSON with --json).
#include <rapidjson/document.h>

#include <cstdio>

#include "ctl/ctl_context.hpp"
#include "ctl/exit_code.hpp"
#include "ctl/local_module_report.hpp"
#include "daemon/status/html_text.hpp"

namespace piotd::ctl {

namespace {

std::string text_of(const rapidjson::Value& object, const char* key) {
    const auto it = object.FindMember(key);
    return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

std::string count_of(const rapidjson::Value& object, const char* key) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd() || !it->value.IsUint64()) return "—";
    return std::to_string(it->value.GetUint64());
}

std::int64_t int_of(const rapidjson::Value& object, const char* key) {
    const auto it = object.FindMember(key);
    return it != object.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

}  // namespace

int run_status(CtlContext& context) {
    const HttpAnswer answer = context.client.get("/api/v1/status/page");
    if (answer.status != 200) return report_error_answer(context, answer, "the status page");
    if (context.options.json) {
        context.out << answer.body << "\n";
    }
    rapidjson::Document s;
    s.Parse(answer.body.data(), answer.body.size());
    const auto is = [&s](const char* key, bool array) {
        const auto it = s.FindMember(key);
        return it != s.MemberEnd() && (array ? it->value.IsArray() : it->value.IsObject());
    };
    if (s.HasParseError() || !s.IsObject() || !is("lists", true) || !is("upstreams", true) ||
        !is("data", false) || !s.HasMember("outbox")) {
        context.err << "piotctl: the daemon's status is not JSON\n";
        return kDaemonError;
    }
    const std::string state = text_of(s, "state");
    if (context.options.json) return state == "ready" ? kOk : kProblem;

    auto& out = context.out;
    out << "piotd " << text_of(s, "version") << " at " << context.client.url_text() << ": " << state
        << "\n";
    if (const auto reason = s.FindMember("reason");
        reason != s.MemberEnd() && reason->value.IsObject()) {
        out << "  " << text_of(reason->value, "en") << "\n  " << text_of(reason->value, "ru")
            << "\n";
    }
    out << "  inst " << text_of(s, "inst") << ", last sync "
        << daemon::format_utc(int_of(s, "lastSync")) << "\n";
    out << "lists:\n";
    for (const auto& list : s["lists"].GetArray()) {
        const auto lag = list.FindMember("lagMs");
        char line[256];
        std::snprintf(line, sizeof line, "  %-15s local %-10s upstream %-10s lag %s\n",
                      text_of(list, "name").c_str(), count_of(list, "localCount").c_str(),
                      count_of(list, "serverCount").c_str(),
                      lag != list.MemberEnd() && lag->value.IsInt64()
                          ? daemon::format_duration(lag->value.GetInt64()).c_str()
                          : "never");
        out << line;
    }
    out << "upstreams:\n";
    const auto& upstreams = s["upstreams"].GetArray();
    if (upstreams.Empty()) out << "  not configured\n";
    for (const auto& u : upstreams) {
        out << "  " << text_of(u, "name") << " " << text_of(u, "url") << ": ";
        if (int_of(u, "consecutiveErrors") > 0) {
            out << "failing: " << text_of(u, "lastErrorText") << "\n";
        } else if (int_of(u, "lastOk") != 0) {
            out << "ok, last " << daemon::format_utc(int_of(u, "lastOk")) << "\n";
        } else {
            out << "no contact yet\n";
        }
    }
    // In front of a local module: its state, the 72-hour clock, the circuit (null or absent: none).
    if (const auto lm = s.FindMember("localModule"); lm != s.MemberEnd() && lm->value.IsObject()) {
        out << local_module_status_lines(lm->value, int_of(s, "now"));
    }
    const auto& outbox = s["outbox"];
    out << "outbox: ";
    if (outbox.IsObject()) {
        out << count_of(outbox, "queued") << " queued";
        const auto oldest = outbox.FindMember("oldestAgeMs");
        if (oldest != outbox.MemberEnd() && oldest->value.IsInt64()) {
            out << " (oldest " << daemon::format_duration(oldest->value.GetInt64()) << ")";
        }
        out << ", " << count_of(outbox, "deadLetters") << " dead letters";
        if (const auto warnings = outbox.FindMember("warnings"); warnings != outbox.MemberEnd() &&
                                                                 warnings->value.IsArray() &&
                                                                 !warnings->value.Empty()) {
            std::string list;
            for (const auto& w : warnings->value.GetArray()) {
                if (w.IsString()) list += (list.empty() ? "" : ", ") + std::string(w.GetString());
            }
            out << " (warnings: " << list << ")";
        }
        out << "\n";
    } else {
        out << "not configured\n";
    }
    const auto& data = s["data"];
    const auto number = [&data](const char* key) -> std::uint64_t {
        const auto it = data.FindMember(key);
        return it != data.MemberEnd() && it->value.IsUint64() ? it->value.GetUint64() : 0;
    };
    const std::uint64_t used = number("usedBytes");
    const std::uint64_t map = number("mapBytes");
    char percent[32] = "—";
    if (map > 0) {
        std::snprintf(percent, sizeof percent, "%.1f %%",
                      100.0 * static_cast<double>(used) / static_cast<double>(map));
    }
    out << "data: " << daemon::format_bytes(used) << " used of a " << daemon::format_bytes(map)
        << " map (" << percent << "), data.mdb " << daemon::format_bytes(number("fileBytes"))
        << "\n";
    return state == "ready" ? kOk : kProblem;
}

}  // namespace piotd::ctl
