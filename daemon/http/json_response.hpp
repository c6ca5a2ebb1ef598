// A 2xx/4xx answer with a JSON body. It carries no Content-Type field: the session sends any
// answer with a body and no type of its own as application/json; charset=utf-8.
#pragma once

#include <string>

#include "daemon/http/http_types.hpp"

namespace piotd::daemon {

Response json_response(http::status status, std::string body);

}  // namespace piotd::daemon
