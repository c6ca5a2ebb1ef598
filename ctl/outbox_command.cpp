// piotctl outbox … and journal tail: views over endpoints other components serve (the
// sell/return relay's outbox, docs/relay.md; the check journal, docs/permissive-mode.md). An
// older daemon without them gets a clear message (exit 5); a document id the relay does not know
// is exit 7.
#include <rapidjson/document.h>

#include <charconv>
#include <chrono>
#include <iomanip>

#include "ctl/ctl_context.hpp"
#include "ctl/exit_code.hpp"
#include "daemon/status/html_text.hpp"
#include "protocol/documents/relay_document.hpp"
#include "storage/outbox_record.hpp"

namespace piotd::ctl {

namespace {

constexpr const char* kOutboxUsage =
    "usage: piotctl outbox list [--state S] [--limit N]|show ID|retry ID";
constexpr const char* kJournalUsage = "usage: piotctl journal tail [--limit N]";

// The daemon's text (codes come from tills and scanners): no control characters on a terminal;
// a code's GS separators show as '?'.
std::string printable(std::string text) {
    for (char& c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    return text;
}

// Codes are long (the crypto tail): the table shows the start, which is the GTIN and serial.
std::string cut(std::string text, std::size_t width) {
    if (text.size() > width) text = text.substr(0, width - 3) + "...";
    return text;
}

// A document id goes into a path: what the relay accepts as an id (printable ASCII, no spaces),
// never a '/', percent-encoded beyond letters, digits and - _ . ~.
std::string id_path(const std::string& id) {
    if (!protocol::valid_document_id(id) || id.find('/') != std::string::npos) {
        throw CtlUsageError("bad outbox document id '" + id.substr(0, 128) + "'");
    }
    std::string path;
    for (const char c : id) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
            path += c;
        } else {
            constexpr char kHex[] = "0123456789ABCDEF";
            path += '%';
            path += kHex[u >> 4];
            path += kHex[u & 15];
        }
    }
    return "/api/v1/outbox/" + path;
}

// The relay's own 404 (errorCode 4041): the endpoint exists, the document does not.
bool is_unknown_document(const HttpAnswer& answer) {
    if (answer.status != 404) return false;
    rapidjson::Document doc;
    doc.Parse(answer.body.data(), answer.body.size());
    if (doc.HasParseError() || !doc.IsObject()) return false;
    const auto code = doc.FindMember("errorCode");
    return code != doc.MemberEnd() && code->value.IsInt() && code->value.GetInt() == 4041;
}

// An error answer of the outbox endpoints: an unknown id in plain words, the rest as usual.
int outbox_error(const CtlContext& context, const HttpAnswer& answer, const std::string& id) {
    if (is_unknown_document(answer)) {
        context.err << "piotctl: the outbox has no document with id '" << id
                    << "' (never stored here, or pruned after delivery)\n";
        return kNotFound;
    }
    return report_error_answer(context, answer, "the outbox");
}

std::string text(const rapidjson::Value& object, const char* key) {
    const auto it = object.FindMember(key);
    return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

std::int64_t number(const rapidjson::Value& object, const char* key) {
    const auto it = object.FindMember(key);
    return it != object.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void table_header(std::ostream& out) {
    out << std::left << std::setw(38) << "ID" << std::setw(12) << "KIND" << std::setw(10) << "STATE"
        << std::setw(9) << "ATTEMPTS" << std::setw(10) << "AGE"
        << "LAST ERROR\n";
}

// One document (write_outbox_record's JSON) as a table row. Ids and reasons are the daemon's
// (and, through it, a POS's or an upstream's) text: control characters are not printed.
void table_row(std::ostream& out, const rapidjson::Value& d, std::int64_t now) {
    std::string reason = text(d, "reason");
    for (char& c : reason) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    }
    const std::string id = printable(text(d, "id"));
    const std::string kind = text(d, "type").empty() ? "?" : text(d, "type");
    out << std::left << std::setw(38) << id << ' ' << std::setw(11) << kind << std::setw(10)
        << text(d, "state") << std::setw(9) << number(d, "attempts") << std::setw(10)
        << daemon::format_duration(std::max<std::int64_t>(0, now - number(d, "createdAt")))
        << (reason.empty() ? "-" : reason) << "\n";
}

bool parse_object(const CtlContext& context, const std::string& body, rapidjson::Document& doc) {
    doc.Parse(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject()) {
        context.err << "piotctl: the daemon's answer is not JSON\n";
        return false;
    }
    return true;
}

int list(CtlContext& context, const std::vector<std::string>& args) {
    std::string query;
    std::string state = "dead";
    for (std::size_t i = 1; i < args.size(); i += 2) {
        if (i + 1 >= args.size()) throw CtlUsageError(kOutboxUsage);
        const std::string& value = args[i + 1];
        if (args[i] == "--state") {
            if (!storage::parse_outbox_state(value)) {
                throw CtlUsageError(
                    "--state must be queued, checking, rejected, dead, delivered or local");
            }
            state = value;
        } else if (args[i] == "--limit") {
            unsigned limit = 0;
            const auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), limit);
            if (ec != std::errc{} || end != value.data() + value.size() || limit == 0 ||
                limit > 1000) {
                throw CtlUsageError("--limit must be 1…1000");
            }
            query += "&limit=" + value;
        } else {
            throw CtlUsageError(kOutboxUsage);
        }
    }
    const HttpAnswer answer = context.client.get("/api/v1/outbox?state=" + state + query);
    if (answer.status / 100 != 2) return report_error_answer(context, answer, "the outbox");
    if (context.options.json) {
        context.out << answer.body << "\n";
        return kOk;
    }
    rapidjson::Document doc;
    if (!parse_object(context, answer.body, doc)) return kDaemonError;
    auto& out = context.out;
    out << "relay: ";
    if (doc.HasMember("relay") && doc["relay"].IsObject()) {
        out << text(doc["relay"], "url") << " (" << text(doc["relay"], "kind") << ")\n";
    } else {
        out << "none (documents stay local)\n";
    }
    if (doc.HasMember("counts") && doc["counts"].IsObject()) {
        const auto& c = doc["counts"];
        out << "counts: queued " << number(c, "queued") << ", checking " << number(c, "checking")
            << ", rejected " << number(c, "rejected") << ", dead " << number(c, "dead") << ", done "
            << number(c, "done") << "\n";
    }
    if (doc.HasMember("oldestPendingAgeMs") && doc["oldestPendingAgeMs"].IsInt64()) {
        out << "oldest pending: " << daemon::format_duration(doc["oldestPendingAgeMs"].GetInt64())
            << "\n";
    }
    if (doc.HasMember("warnings") && doc["warnings"].IsArray() && !doc["warnings"].Empty()) {
        out << "warnings:";
        for (const auto& w : doc["warnings"].GetArray()) {
            if (w.IsString()) out << ' ' << w.GetString();
        }
        out << "\n";
    }
    const auto documents = doc.FindMember("documents");
    if (documents == doc.MemberEnd() || !documents->value.IsArray() || documents->value.Empty()) {
        out << "no " << state << " documents\n";
        return kOk;
    }
    out << state << " documents:\n";
    table_header(out);
    const std::int64_t now = now_ms();
    for (const auto& d : documents->value.GetArray()) {
        if (d.IsObject()) table_row(out, d, now);
    }
    return kOk;
}

int show_document(CtlContext& context, const std::string& id) {
    const HttpAnswer answer = context.client.get(id_path(id));
    if (answer.status / 100 != 2) return outbox_error(context, answer, id);
    if (context.options.json) {
        context.out << answer.body << "\n";
        return kOk;
    }
    rapidjson::Document doc;
    if (!parse_object(context, answer.body, doc)) return kDaemonError;
    table_header(context.out);
    table_row(context.out, doc, now_ms());
    context.out << pretty_json(answer.body) << "\n";
    return kOk;
}

int retry(CtlContext& context, const std::string& id) {
    const HttpAnswer answer = context.client.post(id_path(id) + "/retry", "");
    if (answer.status / 100 != 2) return outbox_error(context, answer, id);
    if (context.options.json) {
        context.out << answer.body << "\n";
        return kOk;
    }
    rapidjson::Document doc;
    if (!parse_object(context, answer.body, doc)) return kDaemonError;
    context.out << "document " << id << " is " << text(doc, "state") << " again\n";
    return kOk;
}

}  // namespace

int run_outbox(CtlContext& context, const std::vector<std::string>& args) {
    if (args.empty()) throw CtlUsageError(kOutboxUsage);
    const std::string& what = args[0];
    if (what == "list") return list(context, args);
    if (what == "show" && args.size() == 2) return show_document(context, args[1]);
    if (what == "retry" && args.size() == 2) return retry(context, args[1]);
    throw CtlUsageError(kOutboxUsage);
}

int run_journal(CtlContext& context, const std::vector<std::string>& args) {
    if (args.empty() || args[0] != "tail") throw CtlUsageError(kJournalUsage);
    unsigned limit = 50;
    if (args.size() == 3 && args[1] == "--limit") {
        const auto [end, ec] =
            std::from_chars(args[2].data(), args[2].data() + args[2].size(), limit);
        // The daemon serves at most 10,000 entries a request (docs/permissive-mode.md).
        if (ec != std::errc{} || end != args[2].data() + args[2].size() || limit == 0 ||
            limit > 10'000) {
            throw CtlUsageError("--limit must be 1…10000");
        }
    } else if (args.size() != 1) {
        throw CtlUsageError(kJournalUsage);
    }
    const HttpAnswer answer = context.client.get("/api/v1/journal?limit=" + std::to_string(limit));
    if (answer.status / 100 != 2) return report_error_answer(context, answer, "the check journal");
    if (context.options.json) {
        context.out << answer.body << "\n";
        return kOk;
    }
    rapidjson::Document doc;
    if (!parse_object(context, answer.body, doc)) return kDaemonError;
    const auto entries = doc.FindMember("entries");
    if (entries == doc.MemberEnd() || !entries->value.IsArray() || entries->value.Empty()) {
        context.out << "the check journal is empty\n";
        return kOk;
    }
    auto& out = context.out;
    out << std::left << std::setw(25) << "TIME" << std::setw(36) << "CODE" << std::setw(9)
        << "SOURCE" << std::setw(10) << "VERDICT"
        << "REQID\n";
    for (const auto& e : entries->value.GetArray()) {
        if (!e.IsObject()) continue;
        const auto allowed = e.FindMember("isSaleAllowed");
        const std::string source = printable(text(e, "source"));
        const char* verdict =
            source == "none" ? "no check"
            : allowed != e.MemberEnd() && allowed->value.IsBool() && allowed->value.GetBool()
                ? "allowed"
                : "refused";
        out << std::setw(25) << daemon::format_utc(number(e, "time")) << std::setw(36)
            << cut(printable(text(e, "code")), 34) << std::setw(9) << source << std::setw(10)
            << verdict << printable(text(e, "reqId")) << "\n";
    }
    return kOk;
}

}  // namespace piotd::ctl
