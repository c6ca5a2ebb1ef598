// piotctl check: each code through GET /api/v1/cis/check on one keep-alive connection, so every
// code gets its own verdict or its own error (a POST batch fails whole on one bad code).
#include <rapidjson/document.h>

#include "ctl/ctl_context.hpp"
#include "ctl/exit_code.hpp"
#include "protocol/json/json_writer.hpp"

namespace piotd::ctl {

namespace {

std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

// Scanners and files end lines with CR LF; a code never ends with a space or CR.
std::string trimmed_line(std::string line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
}

}  // namespace

int run_check(CtlContext& context, const std::vector<std::string>& args) {
    std::vector<std::string> codes(args.begin(), args.end());
    const bool from_stdin = codes.empty() || (codes.size() == 1 && codes[0] == "-");
    if (from_stdin) codes.clear();
    int worst = kOk;
    std::size_t checked = 0;
    std::size_t blocked = 0;
    std::size_t refused = 0;
    const auto check = [&](const std::string& code) -> bool {
        if (code.empty()) return true;
        const HttpAnswer answer =
            context.client.get("/api/v1/cis/check?cis=" + percent_encode(code));
        ++checked;
        if (answer.status == 401) {
            worst = report_error_answer(context, answer, "checks");
            return false;
        }
        rapidjson::Document doc;
        doc.Parse(answer.body.data(), answer.body.size());
        const bool object = !doc.HasParseError() && doc.IsObject();
        if (context.options.json) {
            piotd::protocol::JsonBuffer buffer;
            protocol::JsonWriter writer(buffer);
            writer.StartObject();
            protocol::write_key(writer, "input");
            protocol::write_string(writer, code);
            protocol::write_key(writer, "status");
            writer.Int(answer.status);
            protocol::write_key(writer, "answer");
            if (object) {
                doc.Accept(writer);
            } else {
                writer.Null();
            }
            writer.EndObject();
            context.out << std::string_view(buffer.GetString(), buffer.GetSize()) << "\n";
        }
        // {"codes":[{"cis":…,"isBlocked":…}]} (lm-api.md §3.3)
        const rapidjson::Value* result = nullptr;
        if (answer.status == 200 && object) {
            const auto codes_it = doc.FindMember("codes");
            if (codes_it != doc.MemberEnd() && codes_it->value.IsArray() &&
                !codes_it->value.Empty() && codes_it->value[0].IsObject()) {
                result = &codes_it->value[0];
            }
        }
        if (result != nullptr && result->HasMember("isBlocked") &&
            (*result)["isBlocked"].IsBool()) {
            const bool is_blocked = (*result)["isBlocked"].GetBool();
            if (is_blocked) ++blocked;
            if (!context.options.json) {
                const auto cis = result->FindMember("cis");
                context.out << (is_blocked ? "BLOCKED  " : "ok       ")
                            << (cis != result->MemberEnd() && cis->value.IsString()
                                    ? cis->value.GetString()
                                    : code.c_str())
                            << "\n";
            }
            return true;
        }
        ++refused;
        if (!context.options.json) {
            std::string description = answer.body;
            if (object && doc.HasMember("description") && doc["description"].IsString()) {
                description = doc["description"].GetString();
            }
            context.out << "ERROR    " << code << "  (HTTP " << answer.status << ": " << description
                        << ")\n";
        }
        // Not ready / sync error: every further code would answer the same.
        if (answer.status == 503 ||
            (object && doc.HasMember("errorCode") && doc["errorCode"].IsInt() &&
             (doc["errorCode"].GetInt() == 4045 || doc["errorCode"].GetInt() == 4050))) {
            worst = kProblem;
            return false;
        }
        return true;
    };
    if (from_stdin) {
        std::string line;
        while (std::getline(context.in, line)) {
            if (!check(trimmed_line(line))) break;
        }
    } else {
        for (const std::string& code : codes) {
            if (!check(code)) break;
        }
    }
    if (worst != kOk) return worst;
    if (!context.options.json && checked > 1) {
        context.err << checked << " checked, " << blocked << " blocked, " << refused
                    << " refused\n";
    }
    return blocked > 0 || refused > 0 ? kProblem : kOk;
}

}  // namespace piotd::ctl
