// A response body produced piece by piece, for answers too large to build in memory (a replication
// snapshot of a million items). The session pulls one piece at a time, sends it as an HTTP chunk,
// and asks for the next only when the socket took the previous one, so memory stays bounded
// however slow the client.
//
// Live bodies (server-sent events) may have nothing to send yet; and some answers are computed
// off the I/O thread (image decoding in a worker pool). Both wait without blocking the I/O thread:
// the session parks the connection and is woken through a callback (PendingReply, on_ready).
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
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
    // Called when next() appended nothing and returned true: call `ready` once, from any thread,
    // when next() has something to append or the body ended. A live source stores it; the
    // default calls it at once (a source that merely produced an empty piece).
    virtual void on_ready(std::function<void()> ready) { ready(); }
};

class PendingReply;

// Hands an answer produced later to its connection: callable once, from any thread. executor() is
// the connection's own I/O thread: asynchronous work started on it (an online check) needs no
// thread hop there and back.
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
// Starts work whose answer comes later (the fiscal register, an online check waiting on the
// network). It must not block, and must call the completion exactly once.
using DeferredReply = std::function<void(ReplyCompletion complete)>;

// Bookkeeping run once an answer has been handed to the socket (Reply::after_sent).
using AfterSent = void (*)() noexcept;

// What a handler answers: a whole response, a response head whose body is streamed chunked, or
// a promise of either, fulfilled later from another thread.
struct Reply {
    Response response;
    std::unique_ptr<ChunkSource> stream;    // null: `response` carries the whole body
    std::shared_ptr<PendingReply> pending;  // set: the answer comes later; the rest is unused
    DeferredReply deferred;  // set: the session starts it and parks until it completes
    // Set: called on the connection's thread once the answer has been handed to the socket (or
    // the connection failed), before the next request is read. For bookkeeping that must not
    // delay the answer (held_checks.hpp). Must not throw.
    AfterSent after_sent = nullptr;

    Reply(Response r) : response(std::move(r)) {}  // NOLINT: a plain Response is a Reply
    Reply(Response head, std::unique_ptr<ChunkSource> body)
        : response(std::move(head)), stream(std::move(body)) {}
    explicit Reply(std::shared_ptr<PendingReply> later) : pending(std::move(later)) {}
    // The session starts `work` on the connection's thread and answers with what it completes.
    static Reply later(DeferredReply work) {
        Reply reply{Response{}};
        reply.deferred = std::move(work);
        return reply;
    }
};

// An answer computed elsewhere (a worker pool). The worker calls fulfil() exactly once; the
// session waits for it without blocking its thread. If the connection goes away first, the
// answer is simply dropped.
class PendingReply {
public:
    void fulfil(Reply reply) {
        std::function<void()> ready;
        {
            std::lock_guard lock(mutex_);
            reply_.emplace(std::move(reply));
            ready = std::move(ready_);
        }
        if (ready) ready();
    }
    // Session side: `ready` is called once, at once if the answer is already there.
    void on_ready(std::function<void()> ready) {
        {
            std::lock_guard lock(mutex_);
            if (!reply_) {
                ready_ = std::move(ready);
                return;
            }
        }
        ready();
    }
    // Session side, after `ready`.
    Reply take() {
        std::lock_guard lock(mutex_);
        Reply reply = std::move(*reply_);
        reply_.reset();
        return reply;
    }

private:
    std::mutex mutex_;
    std::optional<Reply> reply_;
    std::function<void()> ready_;
};

}  // namespace piotd::daemon
