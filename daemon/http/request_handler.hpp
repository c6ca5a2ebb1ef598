// What the HTTP server calls for every complete request. Runs on the connection's I/O thread and
// must not block for long: offline checks are microseconds; anything slow is posted elsewhere.
#pragma once

#include <cstddef>
#include <string_view>

#include "daemon/http/chunk_source.hpp"
#include "daemon/http/http_types.hpp"

namespace piotd::daemon {

class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    virtual Reply handle(const Request& request) = 0;
    // The largest body accepted for `target` (path and query), asked once the headers are in, so
    // one route (image uploads) may take more than the server-wide default.
    virtual std::size_t max_body_bytes(std::string_view /*target*/,
                                       std::size_t default_limit) const {
        return default_limit;
    }
};

}  // namespace piotd::daemon
