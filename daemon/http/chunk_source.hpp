// A response body produced piece by piece, for answers too large to build in memory (a replication
// snapshot of a million items). The session pulls one piece at a time, sends it as an HTTP chunk,
// and asks for the next only when the socket took the previous one, so memory stays bounded
// however slow the client.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "daemon/http/http_types.hpp"

namespace piotd::daemon {

class ChunkSource {
public:
    virtual ~ChunkSource() = default;
    // Appends roughly up to `budget` bytes of body to `out`. Returns false when the body is
    // complete (what it appended is the last piece). Throws on failure: the connection is then
    // closed without the final chunk, so the client sees a truncated stream, not a short one.
    virtual bool next(std::string& out, std::size_t budget) = 0;
};

// An answer produced later on another thread (a slow device such as the fiscal register): the
// handler returns at once, and the work calls the sink exactly once, from any thread; the
// session sends the response on its own executor. The I/O thread never waits.
using ReplySink = std::function<void(Response)>;
using DeferredReply = std::function<void(ReplySink)>;

// What a handler answers: a whole response, a response head whose body is streamed chunked, or
// a deferred answer.
struct Reply {
    Response response;
    std::unique_ptr<ChunkSource> stream;  // null: `response` carries the whole body
    DeferredReply deferred;               // set: the answer comes later through the sink

    Reply(Response r) : response(std::move(r)) {}  // NOLINT: a plain Response is a Reply
    Reply(Response head, std::unique_ptr<ChunkSource> body)
        : response(std::move(head)), stream(std::move(body)) {}
    static Reply later(DeferredReply work) {
        Reply reply{Response{}};
        reply.deferred = std::move(work);
        return reply;
    }
};

}  // namespace piotd::daemon
