// What the HTTP server calls for every complete request. Runs on the connection's I/O thread and
// must not block for long: offline checks are microseconds; anything slow is posted elsewhere.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "daemon/http/chunk_source.hpp"
#include "daemon/http/http_types.hpp"

namespace piotd::daemon {

class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    virtual Reply handle(const Request& request) = 0;
    // Asked once the head of a request with a body is in, before a byte of the body is read:
    // the answer when the head alone refuses it (no such route, no credentials). The session
    // then sends it and closes without reading the body.
    virtual std::optional<Response> refuse_head(const Request& /*head*/) { return std::nullopt; }
    // The largest body accepted for `target` (path and query), asked once the headers are in, so
    // one route (image uploads) may take more than the server-wide default.
    virtual std::size_t max_body_bytes(std::string_view /*target*/,
                                       std::size_t default_limit) const {
        return default_limit;
    }
};

}  // namespace piotd::daemon
