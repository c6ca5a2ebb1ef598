// The idempotency key of a request: the Idempotency-Key header, or the body's "id" (or
// "idempotency_key"); both given must agree. Empty when neither is given.
#pragma once

#include <string>
#include <string_view>

#include "daemon/http/http_types.hpp"

namespace piotd::daemon {

struct RequestId {
    std::string id;
    std::string error;  // non-empty: the key is malformed or the two disagree
};

RequestId request_id(const Request& request, std::string_view body);

// The Idempotency-Key header alone (may be empty).
std::string_view idempotency_header(const Request& request);

}  // namespace piotd::daemon
