#include "daemon/http/json_response.hpp"

namespace piotd::daemon {

Response json_response(http::status status, std::string body) {
    Response response{status, 11};
    // No Content-Type field: JSON is the type the session writes for an answer without one
    // (append_whole_response_head), which spares a field allocation per request.
    response.body() = std::move(body);
    return response;
}

}  // namespace piotd::daemon
