#include "daemon/http/session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>

#include "daemon/http/json_error.hpp"

namespace piotd::daemon {

namespace beast = boost::beast;

Session::Session(boost::asio::ip::tcp::socket&& socket, const ServerLimits& limits,
                 RequestHandler& handler, std::atomic<std::size_t>& connections)
    : stream_(std::move(socket)), limits_(limits), handler_(handler), connections_(connections) {
    boost::system::error_code ignored;
    stream_.socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
}

Session::~Session() {
    connections_.fetch_sub(1, std::memory_order_relaxed);
}

void Session::start() {
    wait_for_request();
}

// Waiting for the first byte of a request is bounded by the idle timeout; once it has started,
// the whole request must arrive within the read timeout, so a client that trickles bytes
// (slowloris) holds a connection for at most idle + read time.
void Session::wait_for_request() {
    if (buffer_.size() > 0) {
        read_request();
        return;
    }
    stream_.expires_after(limits_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
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
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    parser_->body_limit(limits_.max_body_bytes);
    // Almost always the whole request came with its first bytes: parse it here and answer at
    // once. http::async_read would find it complete too, but only after a trip through the
    // io_context (a post and one more epoll_wait per request, measured with strace).
    beast::error_code ec;
    if (parse_buffered(ec) || ec) return on_read(ec, 0);
    stream_.expires_after(limits_.read_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
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
        if (used == 0) return false;
    }
    return parser_->is_done();
}

void Session::on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit) {
        auto response = json_error(http::status::payload_too_large, ApiError::body_too_large,
                                   "request body is larger than the limit");
        response.keep_alive(false);
        return send(std::move(response));
    }
    if (ec == http::error::header_limit) {
        auto response = json_error(http::status::request_header_fields_too_large,
                                   ApiError::header_too_large, "request headers are too large");
        response.keep_alive(false);
        return send(std::move(response));
    }
    // Anything else (timeout, reset, malformed HTTP) cannot be answered meaningfully.
    if (ec) return close();

    const Request& request = parser_->get();
    Reply reply = handler_.handle(request);
    reply.response.version(request.version());
    reply.response.keep_alive(request.keep_alive() && reply.response.keep_alive());
    if (reply.stream) return send_stream(std::move(reply.response), std::move(reply.stream));
    send(std::move(reply.response));
}

void Session::send(Response&& response) {
    response_ = std::move(response);
    response_.prepare_payload();
    const bool keep_alive = response_.keep_alive();
    stream_.expires_after(limits_.write_timeout);
    http::async_write(stream_, response_,
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
    stream_head_ =
        std::make_unique<http::response<http::empty_body>>(head.result(), head.version());
    for (const auto& field : head) stream_head_->set(field.name_string(), field.value());
    stream_head_->keep_alive(stream_keep_alive_);
    stream_head_->chunked(stream_chunked_);
    stream_serializer_ =
        std::make_unique<http::response_serializer<http::empty_body>>(*stream_head_);
    stream_.expires_after(limits_.write_timeout);
    http::async_write_header(stream_, *stream_serializer_,
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
    stream_.expires_after(limits_.write_timeout);
    if (source_done_) {
        if (!stream_chunked_) return on_chunk_written(true, {});
        boost::asio::async_write(stream_, http::make_chunk_last(), written(true));
        return;
    }
    chunk_.clear();
    try {
        source_done_ = !source_->next(chunk_, 64 * 1024);
    } catch (const std::exception&) {
        // No final chunk: the client must see a broken stream, never a complete-looking one.
        return close();
    }
    if (chunk_.empty()) return send_next_chunk();
    if (!stream_chunked_) {
        boost::asio::async_write(stream_, boost::asio::buffer(chunk_), written(false));
        return;
    }
    boost::asio::async_write(stream_, http::make_chunk(boost::asio::buffer(chunk_)),
                             written(false));
}

void Session::on_chunk_written(bool last, beast::error_code ec) {
    if (ec) return close();
    if (!last) return send_next_chunk();
    source_.reset();
    stream_serializer_.reset();
    stream_head_.reset();
    on_write(stream_keep_alive_, ec, 0);
}

void Session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec) return close();
    if (!keep_alive) return linger();
    parser_.reset();
    wait_for_request();
}

// After an answer that ends the connection (413, 431, Connection: close) the client may still be
// sending the rest of its request. Closing at once would reset the connection and the client
// could lose the answer it has not read yet; so, like nginx's lingering close, stop sending, read
// and discard for a bounded time and amount, then close.
void Session::linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    // One deadline for the whole lingering, so a trickling client cannot extend it.
    stream_.expires_after(std::chrono::seconds(2));
    discard();
}

void Session::discard() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(16 * 1024),
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
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    stream_.close();
}

}  // namespace piotd::daemon
