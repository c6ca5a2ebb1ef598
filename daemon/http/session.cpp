#include "daemon/http/session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/range/iterator_range.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <tuple>

#include "daemon/http/drained_read_buffer.hpp"
#include "daemon/http/host_names.hpp"
#include "daemon/http/json_error.hpp"
#include "daemon/http/response_head.hpp"

namespace piotd::daemon {

namespace beast = boost::beast;

Session::Session(Socket&& socket, const ServerLimits& limits, RequestHandler& handler,
                 std::atomic<std::size_t>& connections, IdleConnections& idle)
    : socket_(std::move(socket)),
      deadline_(socket_.get_executor()),
      wake_(socket_.get_executor()),
      limits_(limits),
      handler_(handler),
      connections_(connections),
      idle_(idle) {
    boost::system::error_code ignored;
    socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    // send() tries a direct write first; it must return would_block, not wait for the client.
    socket_.non_blocking(true, ignored);
}

Session::~Session() {
    connections_.fetch_sub(1, std::memory_order_relaxed);
}

void Session::start() {
    deadline_.bind(weak_from_this(), [this] {
        beast::error_code ignored;
        socket_.close(ignored);
    });
    wait_for_request();
}

// Idle the longest while a new client needs the slot: the pending read ends with an error.
void Session::evict() {
    close();
}

// Waiting for the first byte of a request is bounded by the idle timeout; once it has started,
// the whole request must arrive within the read timeout, so a client that trickles bytes
// (slowloris) holds a connection for at most idle + read time.
void Session::wait_for_request() {
    if (buffer_.size() > 0) {
        read_request();
        return;
    }
    deadline_.expires_after(limits_.idle_timeout);
    idle_.enter(*this, deadline_.at().time_since_epoch().count());  // the same timeout for all
    // A short read here (the usual: a whole request in one segment) marks the socket drained,
    // so the read after the answer waits for epoll instead of trying a recv that finds nothing.
    socket_.async_read_some(DrainedReadBuffer(buffer_.prepare(4096)),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                self->on_first_bytes(ec, n);
                            });
}

void Session::on_first_bytes(beast::error_code ec, std::size_t bytes) {
    leave_idle();
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
    decided_ = HeadDecision{};
    // Almost always the whole request came with its first bytes: parse it here and answer at
    // once. http::async_read would find it complete too, but only after a trip through the
    // io_context (a post and one more epoll_wait per request, measured with strace).
    beast::error_code ec;
    if (parse_buffered(ec) || ec) return on_read(ec, 0);
    deadline_.expires_after(limits_.read_timeout);
    if (decided_.body_limit_applied) return read_body();
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
        decided_.refusal = Refusal::misdirected;
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
    if (decided_.send_continue) {
        // The client waits for this before it sends the body (RFC 9110, 10.1.1): curl waits 1 s.
        decided_.send_continue = false;
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
        if (!decided_.body_limit_applied && parser_->is_header_done() && !check_head(ec)) {
            return false;
        }
        if (used == 0) return false;
    }
    return parser_->is_done();
}

void Session::on_read(beast::error_code ec, std::size_t) {
    if (decided_.refusal != Refusal::none) {
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
    deadline_.expires_after(limits_.write_timeout);
    boost::asio::async_write(
        socket_, pieces,
        [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t n) {
            self->on_write(keep_alive, ec, n);
        });
}

void Session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    body_reservation_.release();
    if (ec) return close();
    if (!keep_alive) return linger();
    request_.reset();
    parser_.reset();
    wait_for_request();
}

void Session::close() {
    beast::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
    deadline_.cancel();
}

}  // namespace piotd::daemon
