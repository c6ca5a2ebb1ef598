// What the HTTP server calls for every complete request. Runs on the connection's I/O thread and
// must not block for long: offline checks are microseconds; anything slow is posted elsewhere.
#pragma once

#include "daemon/http/chunk_source.hpp"
#include "daemon/http/http_types.hpp"

namespace piotd::daemon {

class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    virtual Reply handle(const Request& request) = 0;
};

}  // namespace piotd::daemon
