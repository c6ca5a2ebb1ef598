// A 2xx/4xx answer with a JSON body.
#pragma once

#include <string>

#include "daemon/http/http_types.hpp"

namespace piotd::daemon {

Response json_response(http::status status, std::string body);

}  // namespace piotd::daemon
