#include "daemon/http/json_error.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <boost/beast/http/field.hpp>

namespace piotd::daemon {

void write_error_fields(protocol::JsonWriter& writer, http::status status, ApiError error,
                        std::string_view description) {
    writer.Key("code");
    writer.Int(static_cast<int>(status));
    writer.Key("description");
    writer.String(description.data(), static_cast<rapidjson::SizeType>(description.size()));
    writer.Key("errorCode");
    writer.Int(static_cast<int>(error));
    writer.Key("error");
    const std::string_view name = api_error_name(error);
    writer.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
}

std::string json_error_body(http::status status, ApiError error, std::string_view description) {
    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    write_error_fields(writer, status, error, description);
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

Response json_error(http::status status, ApiError error, std::string_view description) {
    Response response{status, 11};
    // No Content-Type field: JSON is the type the session writes for an answer without one
    // (append_whole_response_head), which spares a field allocation per request.
    response.body() = json_error_body(status, error, description);
    return response;
}

}  // namespace piotd::daemon
