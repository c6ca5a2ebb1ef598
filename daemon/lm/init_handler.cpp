#include "daemon/lm/init_handler.hpp"

#include <rapidjson/document.h>

#include "daemon/http/json_error.hpp"
#include "daemon/http/json_response.hpp"

namespace piotd::daemon {

namespace {

// A token is an API key: printable ASCII, bounded. Anything else is a client bug or an attack.
bool plausible_token(std::string_view token) {
    if (token.empty() || token.size() > 512) return false;
    for (const char c : token) {
        if (c <= 0x20 || c >= 0x7f) return false;
    }
    return true;
}

}  // namespace

Response handle_init(LocalModule& module, const RequestContext& context) {
    const std::string& body = context.request.body();
    rapidjson::Document document;
    document.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(body.data(),
                                                                                       body.size());
    if (document.HasParseError() || !document.IsObject()) {
        return json_error(http::status::bad_request, ApiError::invalid_json,
                          "body must be a JSON object {\"token\": \"…\"}");
    }
    const auto token = document.FindMember("token");
    if (token == document.MemberEnd()) {
        return json_error(http::status::bad_request, ApiError::missing_field, "token is missing");
    }
    if (!token->value.IsString() ||
        !plausible_token({token->value.GetString(), token->value.GetStringLength()})) {
        return json_error(http::status::bad_request, ApiError::invalid_field,
                          "token must be a non-empty printable string of at most 512 characters");
    }
    module.init(std::string(token->value.GetString(), token->value.GetStringLength()));
    return json_response(http::status::ok, R"({"code":0,"description":"ok"})");
}

}  // namespace piotd::daemon
