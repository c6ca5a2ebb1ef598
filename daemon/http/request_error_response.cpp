#include "daemon/http/request_error_response.hpp"

#include "daemon/http/json_error.hpp"

namespace piotd::daemon {

std::optional<Response> request_error_response(protocol::RequestError error,
                                               std::string_view detail) {
    switch (error) {
        case protocol::RequestError::none:
            return std::nullopt;
        case protocol::RequestError::invalid_json:
            return json_error(http::status::bad_request, ApiError::invalid_json, detail);
        case protocol::RequestError::missing_field:
        case protocol::RequestError::empty_list:
            return json_error(http::status::bad_request, ApiError::missing_field, detail);
        case protocol::RequestError::invalid_field:
            return json_error(http::status::bad_request, ApiError::invalid_field, detail);
        case protocol::RequestError::too_many_codes:
            return json_error(http::status::bad_request, ApiError::too_many_codes, detail);
    }
    return json_error(http::status::bad_request, ApiError::bad_request, detail);
}

}  // namespace piotd::daemon
