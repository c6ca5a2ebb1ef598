// The JSON body of every error answer:
//   {"code":<HTTP status>,"description":"…","errorCode":<ApiError>,"error":"<name>"}
// LM clients read `errorCode` (4045/4050) and `description`; `error` is piotd's addition.
#pragma once

#include <string_view>

#include "daemon/http/api_error.hpp"
#include "daemon/http/http_types.hpp"
#include "protocol/json/json_writer.hpp"

namespace piotd::daemon {

Response json_error(http::status status, ApiError error, std::string_view description);

// The same body as a string, for callers that add fields (e.g. the failing code's index).
std::string json_error_body(http::status status, ApiError error, std::string_view description);

// The four fields above into an object the caller has started (and will end), for error
// bodies with more fields (the fiscal register's).
void write_error_fields(protocol::JsonWriter& writer, http::status status, ApiError error,
                        std::string_view description);

}  // namespace piotd::daemon
