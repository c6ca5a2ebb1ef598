#include "daemon/http/session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/range/iterator_range.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <tuple>

#include "daemon/coarse_clock.hpp"
#include "daemon/http/drained_read_buffer.hpp"
#include "daemon/http/host_names.hpp"
#include "daemon/http/json_error.hpp"
#include "daemon/http/response_head.hpp"

namespace piotd::daemon {

namespace beast = boost::beast;

Session::Session(Socket&& socket, const ServerLimits& limits, RequestHandler& handler,
                 std::atomic<std::size_t>& connections)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      wake_(socket_.get_executor()),
      limits_(limits),
      handler_(handler),
      connections_(connections) {
    boost::system::error_code ignored;
    socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    // send() tries a direct write first; it must return would_block, not wait for the client.
    socket_.non_blocking(true, ignored);
}

Session::~Session() {
    connections_.fetch_sub(1, std::memory_order_relaxed);
}

void Session::start() {
    wait_for_request();
}

// Every read and write is bounded by a deadline, but a request must not pay for a timer: moving
// a deadline later is an assignment, and the one timer, armed at the earliest deadline still
// possible, re-arms itself to the current deadline when it fires early. Only a deadline earlier
// than the armed one (the first write after an idle wait, say) touches the timer queue.
void Session::expires_after(std::chrono::steady_clock::duration timeout) {
    deadline_ = coarse_steady_now() + timeout;
    if (!timer_armed_ || deadline_ < timer_.expiry()) arm_timer();
}

// Nothing is read or written until the next expires_after (a parked session has no timeout).
void Session::clear_deadline() {
    deadline_ = std::chrono::steady_clock::time_point::max();
}

void Session::arm_timer() {
    timer_armed_ = true;
    timer_.expires_at(deadline_);
    // A weak reference: a pending timer must not keep a finished connection (and its slot in
    // the connection limit) alive until it fires.
    timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
        auto self = weak.lock();
        if (!self || ec == boost::asio::error::operation_aborted) return;
        self->timer_armed_ = false;
        if (self->deadline_ == std::chrono::steady_clock::time_point::max()) return;
        if (std::chrono::steady_clock::now() < self->deadline_) return self->arm_timer();
        // Timed out: the pending read or write completes with an error and ends the session.
        beast::error_code ignored;
        self->socket_.close(ignored);
    });
}

// Waiting for the first byte of a request is bounded by the idle timeout; once it has started,
// the whole request must arrive within the read timeout, so a client that trickles bytes
// (slowloris) holds a connection for at most idle + read time.
void Session::wait_for_request() {
    if (buffer_.size() > 0) {
        read_request();
        return;
    }
    expires_after(limits_.idle_timeout);
    // A short read here (the usual: a whole request in one segment) marks the socket drained,
    // so the read after the answer waits for epoll instead of trying a recv that finds nothing.
    socket_.async_read_some(DrainedReadBuffer(buffer_.prepare(4096)),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                self->on_first_bytes(ec, n);
                            });
}

void Session::on_first_bytes(beast::error_code ec, std::size_t bytes) {
    if (ec) return close();
    buffer_.commit(bytes);
    read_request();
}

void Session::read_request() {
    // The previous request and its parser are gone (on_write), so nothing points into the arena.
    request_.reset();
    parser_.reset();
    arena_.release();
    if (read_plain_request()) {
        // Not built when its Host was refused: the 421 is on its way then.
        if (request_) answer(handler_.handle(*request_));
        return;
    }
    parser_.emplace(std::piecewise_construct, std::make_tuple(),
                    std::make_tuple(RequestAllocator(&arena_)));
    parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    // The body limit depends on the route; it is set once the target is known.
    parser_->body_limit(boost::none);
    body_limit_applied_ = false;
    refusal_ = Refusal::none;
    send_continue_ = false;
    // Almost always the whole request came with its first bytes: parse it here and answer at
    // once. http::async_read would find it complete too, but only after a trip through the
    // io_context (a post and one more epoll_wait per request, measured with strace).
    beast::error_code ec;
    if (parse_buffered(ec) || ec) return on_read(ec, 0);
    expires_after(limits_.read_timeout);
    if (body_limit_applied_) return read_body();
    http::async_read_header(socket_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                self->on_header(ec, n);
                            });
}

// A plain request that is all in the buffer becomes request_ without Beast's parser. Anything
// else (not plain, a body still on its way or over the route's limit) is left in the buffer for
// the parser, which reads it, or refuses it, exactly as if this had not been tried.
bool Session::read_plain_request() {
    const auto data = buffer_.data();
    const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
    if (!scan_plain_request_head(bytes, limits_.max_header_bytes, plain_)) return false;
    if (!limits_.hosts.accepts(plain_.host) && !host_allowed(plain_.host, plain_.version))
        [[unlikely]] {
        refusal_ = Refusal::misdirected;
        refuse(plain_.version, plain_.host);
        return true;
    }
    const std::uint64_t length = plain_.content_length;
    if (length > bytes.size() - plain_.head_size) return false;
    if (length > 0 && length > handler_.max_body_bytes(plain_.target, limits_.max_body_bytes)) {
        return false;
    }
    request_.emplace(std::piecewise_construct, std::make_tuple(),
                     std::make_tuple(RequestAllocator(&arena_)));
    build_request(plain_, bytes.substr(plain_.head_size, static_cast<std::size_t>(length)),
                  *request_);
    request_keeps_alive_ = plain_.keep_alive;
    buffer_.consume(plain_.head_size + static_cast<std::size_t>(length));
    return true;
}

// Whether the Host field (data() null: none) names this listener: one of limits_.hosts, or the
// literal of the address this connection reached. HTTP/1.0 may leave it out; HTTP/1.1 may not.
bool Session::host_allowed(std::string_view host, unsigned version) {
    if (limits_.hosts.accepts(host)) return true;
    if (host.data() == nullptr) return version < 11;
    beast::error_code ec;
    const auto local = socket_.local_endpoint(ec);
    return !ec && host_part_is(host, host_literal(local.address()));
}

void Session::on_header(beast::error_code ec, std::size_t bytes) {
    if (ec) return on_read(ec, bytes);
    if (!check_head(ec)) return on_read(ec, 0);
    if (parser_->is_done()) return on_read({}, 0);
    read_body();
}

void Session::read_body() {
    if (send_continue_) {
        // The client waits for this before it sends the body (RFC 9110, 10.1.1): curl waits 1 s.
        send_continue_ = false;
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        boost::asio::async_write(socket_, boost::asio::buffer(kContinue.data(), kContinue.size()),
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                     if (ec) return self->close();
                                     self->read_body();
                                 });
        return;
    }
    http::async_read(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

// What the head alone decides, once it is in, before a byte of the body is read: a Host that
// does not name this listener (421), an expectation other than 100-continue (417), a declared
// length over the route's body limit (413). Otherwise the route's limit is set, and a
// 100-continue expectation is owed its interim answer if the body is still to come.
bool Session::check_head(beast::error_code& ec) {
    body_limit_applied_ = true;
    const Request& head = parser_->get();
    if (parser_->host_count() > 1) {
        refusal_ = Refusal::repeated_host;
    } else if (!host_allowed(parser_->host(), head.version())) {
        refusal_ = Refusal::misdirected;
    }
    if (refusal_ == Refusal::none) {
        for (const auto& field :
             boost::make_iterator_range(head.equal_range(http::field::expect))) {
            if (!beast::iequals(field.value(), "100-continue")) {
                refusal_ = Refusal::expectation_failed;
                break;
            }
            // An HTTP/1.0 client's expectation is ignored (RFC 9110, 10.1.1).
            send_continue_ = head.version() >= 11;
        }
    }
    if (refusal_ != Refusal::none) {
        ec = http::error::bad_value;  // any error: on_read answers by refusal_
        return false;
    }
    const std::size_t limit =
        handler_.max_body_bytes(parser_->get().target(), limits_.max_body_bytes);
    const auto length = parser_->content_length();
    if (length && *length > limit) {
        ec = http::error::body_limit;
        return false;
    }
    parser_->body_limit(limit);
    return true;
}

// Feeds the parser what the buffer holds, as Beast's read loop does; true when the request is
// complete. `ec` is set for a broken or too large request (the errors on_read answers).
bool Session::parse_buffered(beast::error_code& ec) {
    while (buffer_.size() > 0 && !parser_->is_done()) {
        const std::size_t used = parser_->put(buffer_.data(), ec);
        buffer_.consume(used);
        if (ec == http::error::need_more) {
            ec = {};
            return false;
        }
        if (ec) return false;
        // The parser stops after the header (it is not eager): the body limit goes in first.
        if (!body_limit_applied_ && parser_->is_header_done() && !check_head(ec)) {
            return false;
        }
        if (used == 0) return false;
    }
    return parser_->is_done();
}

void Session::on_read(beast::error_code ec, std::size_t) {
    if (refusal_ != Refusal::none) {
        const Request& head = parser_->get();
        return refuse(head.version(), parser_->host());
    }
    if (ec == http::error::body_limit) {
        auto response = json_error(http::status::payload_too_large, ApiError::body_too_large,
                                   "request body is larger than the limit");
        response.keep_alive(false);
        return send(std::move(response), false);
    }
    if (ec == http::error::header_limit) {
        auto response = json_error(http::status::request_header_fields_too_large,
                                   ApiError::header_too_large, "request headers are too large");
        response.keep_alive(false);
        return send(std::move(response), false);
    }
    // Anything else (timeout, reset, malformed HTTP) cannot be answered meaningfully.
    if (ec) return close();

    request_keeps_alive_ = parser_->keep_alive();
    request_.emplace(parser_->release());
    answer(handler_.handle(*request_));
}

// The answer to a head refused by refusal_, before routing; the connection closes after it (the
// body, if any, is not read: linger discards what the client still sends).
void Session::refuse(unsigned version, std::string_view host) {
    Response response;
    switch (refusal_) {
        case Refusal::misdirected: {
            std::string description = "misdirected request: ";
            if (host.data() == nullptr) {
                description += "no Host field";
            } else {
                // The client's bytes, shortened and reduced to printable ASCII for the log-safe
                // JSON text.
                description += "Host ";
                for (const char c : host.substr(0, 100)) {
                    description += c >= ' ' && c < 0x7F ? c : '?';
                }
                description += " does not designate this server";
            }
            response = json_error(http::status::misdirected_request, ApiError::misdirected_request,
                                  description);
            break;
        }
        case Refusal::repeated_host:
            response = json_error(http::status::bad_request, ApiError::bad_request,
                                  "more than one Host field");
            break;
        default:
            response = json_error(http::status::expectation_failed, ApiError::expectation_failed,
                                  "only the expectation 100-continue is supported");
            break;
    }
    refusal_ = Refusal::none;
    response.version(version);
    response.keep_alive(false);
    send(std::move(response), false);
}

void Session::answer(Reply reply) {
    if (reply.deferred) {
        // Started here, so it can run on this connection's thread; answered through a pending
        // reply, so the session waits the same way as for a worker pool.
        auto pending = std::make_shared<PendingReply>();
        reply.deferred(ReplyCompletion(socket_.get_executor(), [pending](Response response) {
            pending->fulfil(Reply(std::move(response)));
        }));
        reply = Reply(std::move(pending));
    }
    if (reply.pending) {
        // Computed elsewhere: park until the worker has the answer. No timeout applies while
        // parked; the worker pool bounds how long it takes.
        auto pending = std::move(reply.pending);
        return park([pending](std::function<void()> wake) { pending->on_ready(std::move(wake)); },
                    [pending](Session& self) { self.answer(pending->take()); });
    }
    Response& response = reply.response;
    response.version(request_->version());
    // The request's flags already say whether it keeps the connection; the fields are
    // read (and a Connection field written) only when an answer has its own Connection field or
    // the connection ends: reading and rewriting that field cost ~300 instructions per request.
    const bool has_connection = response.find(http::field::connection) != response.end();
    const bool response_keeps = has_connection ? response.keep_alive() : response.version() >= 11;
    const bool keep_alive = request_keeps_alive_ && response_keeps;
    if (has_connection || !keep_alive) response.keep_alive(keep_alive);
    if (reply.stream) {
        send_stream(std::move(response), std::move(reply.stream));
    } else {
        send(std::move(response), keep_alive);
    }
    // Nearly always the answer is on its way by now (send writes it at once); whatever completes
    // later is posted, so this still runs before the next request on this connection is read.
    if (reply.after_sent != nullptr) reply.after_sent();
}

// Waits for another thread without holding this one: a timer that never expires keeps the
// session alive in the io_context (and lets the server's shutdown destroy it), and the wake-up
// callback, which holds only a weak reference, cancels it on this session's own thread.
void Session::park(const std::function<void(std::function<void()>)>& arm,
                   std::function<void(Session&)> resume) {
    clear_deadline();
    wake_.expires_at(std::chrono::steady_clock::time_point::max());
    wake_.async_wait([self = shared_from_this(), resume = std::move(resume)](beast::error_code) {
        resume(*self);
    });
    // dispatch: a worker on another thread posts the cancel to this one; deferred work that
    // completes on this very thread (an online check) cancels at once, without a scheduler pass.
    arm([weak = weak_from_this(), executor = socket_.get_executor()] {
        boost::asio::dispatch(executor, [weak] {
            if (auto self = weak.lock()) self->wake_.cancel();
        });
    });
}

// The head is written by append_whole_response_head (with the Content-Length that Beast's
// prepare_payload would have set) and goes out with the body in one gather write.
void Session::send(Response&& response, bool keep_alive) {
    response_ = std::move(response);
    head_.clear();
    append_whole_response_head(response_.base(), response_.body().size(), head_);
    // A status that has no body (1xx, 204, 304) sends none, whatever the handler left in it.
    const std::size_t body_size =
        status_allows_body(response_.result_int()) ? response_.body().size() : 0;
    std::array<boost::asio::const_buffer, 2> pieces{
        boost::asio::buffer(head_), boost::asio::buffer(response_.body().data(), body_size)};
    // Nearly always the answer fits the socket's send buffer at once. Written here, it completes
    // without a trip through the io_context (async_write posts its completion: one more
    // scheduler pass, its lock and a handler allocation per request). With a request pipelined
    // behind this one, the completion goes through the io_context as before, so a pipelining
    // client cannot grow this thread's stack.
    if (buffer_.size() == 0) {
        beast::error_code ec;
        const std::size_t written = socket_.write_some(pieces, ec);
        if (ec != boost::asio::error::would_block) {
            if (ec || written == head_.size() + body_size) return on_write(keep_alive, ec, written);
            // A partial write (a large answer, a slow reader): the rest goes out below.
            const std::size_t from_head = std::min(written, head_.size());
            pieces[0] += from_head;
            pieces[1] += written - from_head;
        }
    }
    expires_after(limits_.write_timeout);
    boost::asio::async_write(
        socket_, pieces,
        [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t n) {
            self->on_write(keep_alive, ec, n);
        });
}

void Session::send_stream(Response&& head, std::unique_ptr<ChunkSource> source) {
    source_ = std::move(source);
    source_done_ = false;
    // HTTP/1.1 gets chunks; HTTP/1.0 knows no chunked encoding, so its body is the raw bytes
    // until the connection closes. Either way only one piece is in memory at a time.
    stream_chunked_ = head.version() >= 11;
    stream_keep_alive_ = stream_chunked_ && head.keep_alive();
    head.keep_alive(stream_keep_alive_);
    head.chunked(stream_chunked_);
    head_.clear();
    append_response_head(head.base(), head_);
    expires_after(limits_.write_timeout);
    boost::asio::async_write(socket_, boost::asio::buffer(head_),
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                 self->on_stream_head(ec);
                             });
}

void Session::on_stream_head(beast::error_code ec) {
    if (ec) return close();
    send_next_chunk();
}

void Session::send_next_chunk() {
    auto written = [self = shared_from_this()](bool last) {
        return
            [self, last](beast::error_code ec, std::size_t) { self->on_chunk_written(last, ec); };
    };
    expires_after(limits_.write_timeout);
    if (source_done_) {
        if (!stream_chunked_) return on_chunk_written(true, {});
        boost::asio::async_write(socket_, http::make_chunk_last(), written(true));
        return;
    }
    chunk_.clear();
    try {
        source_done_ = !source_->next(chunk_, 64 * 1024);
    } catch (const std::exception&) {
        // No final chunk: the client must see a broken stream, never a complete-looking one.
        return close();
    }
    if (chunk_.empty()) {
        // Nothing yet (a live event stream): wait for the source instead of spinning.
        return park([this](std::function<void()> wake) { source_->on_ready(std::move(wake)); },
                    [](Session& self) { self.send_next_chunk(); });
    }
    if (!stream_chunked_) {
        boost::asio::async_write(socket_, boost::asio::buffer(chunk_), written(false));
        return;
    }
    boost::asio::async_write(socket_, http::make_chunk(boost::asio::buffer(chunk_)),
                             written(false));
}

void Session::on_chunk_written(bool last, beast::error_code ec) {
    if (ec) return close();
    if (!last) return send_next_chunk();
    source_.reset();
    on_write(stream_keep_alive_, ec, 0);
}

void Session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec) return close();
    if (!keep_alive) return linger();
    request_.reset();
    parser_.reset();
    wait_for_request();
}

// After an answer that ends the connection (413, 431, Connection: close) the client may still be
// sending the rest of its request. Closing at once would reset the connection and the client
// could lose the answer it has not read yet; so, like nginx's lingering close, stop sending, read
// and discard for a bounded time and amount, then close.
void Session::linger() {
    beast::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    // One deadline for the whole lingering, so a trickling client cannot extend it.
    expires_after(std::chrono::seconds(2));
    discard();
}

void Session::discard() {
    buffer_.clear();
    socket_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                self->on_linger(ec, n);
                            });
}

void Session::on_linger(beast::error_code ec, std::size_t bytes) {
    lingered_ += bytes;
    if (ec || lingered_ > 8 * limits_.max_body_bytes) return close();
    discard();
}

void Session::close() {
    beast::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
    timer_.cancel();
}

}  // namespace piotd::daemon
