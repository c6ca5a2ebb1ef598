// The answer to a request body the protocol decoders refused (protocol::RequestError): a 400
// with the same errorCode on every endpoint that takes a list of codes or a receipt.
#pragma once

#include <optional>
#include <string_view>

#include "daemon/http/http_types.hpp"
#include "protocol/lm/cis_list_request.hpp"

namespace piotd::daemon {

// Nothing for RequestError::none.
std::optional<Response> request_error_response(protocol::RequestError error,
                                               std::string_view detail);

}  // namespace piotd::daemon
