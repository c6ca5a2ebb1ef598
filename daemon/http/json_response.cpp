#include "daemon/http/json_response.hpp"

namespace piotd::daemon {

Response json_response(http::status status, std::string body) {
    Response response{status, 11};
    response.set(http::field::content_type, "application/json; charset=utf-8");
    response.body() = std::move(body);
    return response;
}

}  // namespace piotd::daemon
