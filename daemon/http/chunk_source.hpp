// A response body produced piece by piece, for answers too large to build in memory (a replication
// snapshot of a million items). The session pulls one piece at a time, sends it as an HTTP chunk,
// and asks for the next only when the socket took the previous one, so memory stays bounded
// however slow the client.
#pragma once

#include <boost/asio/any_io_executor.hpp>

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

// Hands a reply that was produced later to its connection. Callable from any thread, exactly once;
// it posts the send to the connection's own I/O thread. executor() is that thread's: asynchronous
// work started on it (an online check) needs no thread hop there and back.
class ReplyCompletion {
public:
    ReplyCompletion(boost::asio::any_io_executor executor, std::function<void(Response)> send)
        : executor_(std::move(executor)), send_(std::move(send)) {}
    void operator()(Response response) const { send_(std::move(response)); }
    const boost::asio::any_io_executor& executor() const { return executor_; }

private:
    boost::asio::any_io_executor executor_;
    std::function<void(Response)> send_;
};
// Starts work whose answer comes later (an online check waiting on the network): it must not block
// and must arrange for `complete` to be called once. The connection reads nothing meanwhile.
using DeferredReply = std::function<void(ReplyCompletion complete)>;

// What a handler answers: a whole response, a response head whose body is streamed chunked, or a
// response that will be produced later, off the I/O thread.
struct Reply {
    Response response;
    std::unique_ptr<ChunkSource> stream;  // null: `response` carries the whole body
    DeferredReply deferred;               // set: `response` is unused; the answer comes later

    Reply(Response r) : response(std::move(r)) {}  // NOLINT: a plain Response is a Reply
    Reply(Response head, std::unique_ptr<ChunkSource> body)
        : response(std::move(head)), stream(std::move(body)) {}
    static Reply later(DeferredReply start) {
        Reply reply{Response{}};
        reply.deferred = std::move(start);
        return reply;
    }
};

}  // namespace piotd::daemon
