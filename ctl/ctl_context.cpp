#include "ctl/ctl_context.hpp"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>

#include "ctl/exit_code.hpp"

namespace piotd::ctl {

bool is_unknown_endpoint(const HttpAnswer& answer) {
    if (answer.status != 404) return false;
    rapidjson::Document doc;
    doc.Parse(answer.body.data(), answer.body.size());
    if (doc.HasParseError() || !doc.IsObject()) return true;
    // piotd's errors all carry an errorCode; a 404 without one is not a piotd route's answer.
    const auto code = doc.FindMember("errorCode");
    return code == doc.MemberEnd() || (code->value.IsInt() && code->value.GetInt() == 4040);
}

int report_error_answer(const CtlContext& context, const HttpAnswer& answer,
                        std::string_view feature) {
    if (answer.status == 401) {
        context.err << "piotctl: the daemon refused the credentials (user '"
                    << context.connection.user
                    << "'); give the password with --password or PIOTD_PASSWORD, or run as a "
                       "user who can read the config file\n";
        return kUnauthorized;
    }
    if (is_unknown_endpoint(answer)) {
        context.err << "piotctl: daemon does not support " << feature
                    << " (HTTP 404: this piotd has no such endpoint; upgrade it)\n";
        return kUnsupported;
    }
    std::string description = answer.body;
    rapidjson::Document doc;
    doc.Parse(answer.body.data(), answer.body.size());
    if (!doc.HasParseError() && doc.IsObject()) {
        const auto it = doc.FindMember("description");
        if (it != doc.MemberEnd() && it->value.IsString()) description = it->value.GetString();
    }
    context.err << "piotctl: daemon answered HTTP " << answer.status << ": " << description << "\n";
    return kDaemonError;
}

std::string pretty_json(const std::string& body) {
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    if (doc.HasParseError()) return body;
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
    writer.SetIndent(' ', 2);
    doc.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace piotd::ctl
