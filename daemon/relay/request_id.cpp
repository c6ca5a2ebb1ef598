#include "daemon/relay/request_id.hpp"

#include <rapidjson/document.h>

#include "protocol/documents/relay_document.hpp"

namespace piotd::daemon {

std::string_view idempotency_header(const Request& request) {
    const auto it = request.find("Idempotency-Key");
    if (it == request.end()) return {};
    return {it->value().data(), it->value().size()};
}

RequestId request_id(const Request& request, std::string_view body) {
    RequestId result;
    const std::string_view header = idempotency_header(request);
    std::string from_body;
    rapidjson::Document json;
    json.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(body.data(),
                                                                                   body.size());
    if (!json.HasParseError() && json.IsObject()) {
        for (const char* name : {"id", "idempotency_key"}) {
            const auto it = json.FindMember(name);
            if (it == json.MemberEnd() || it->value.IsNull()) continue;
            if (!it->value.IsString()) {
                result.error = std::string(name) + " must be a string";
                return result;
            }
            from_body.assign(it->value.GetString(), it->value.GetStringLength());
            break;
        }
    }
    if (!header.empty() && !from_body.empty() && header != from_body) {
        result.error = "id differs from the Idempotency-Key header";
        return result;
    }
    result.id = header.empty() ? from_body : std::string(header);
    if (!result.id.empty() && !protocol::valid_document_id(result.id)) {
        result.error = "the idempotency key must be 1-128 printable ASCII characters, no spaces";
        result.id.clear();
    }
    return result;
}

}  // namespace piotd::daemon
