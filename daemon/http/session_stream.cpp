// The replies that do not go out in one write (session.hpp): parked until another thread has the
// answer, streamed piece by piece from a ChunkSource, and the lingering close after an answer
// that ends the connection.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>

#include "daemon/http/response_head.hpp"
#include "daemon/http/session.hpp"

namespace piotd::daemon {

namespace beast = boost::beast;

// Waits for another thread without holding this one: a timer that never expires keeps the
// session alive in the io_context (and lets the server's shutdown destroy it), and the wake-up
// callback, which holds only a weak reference, cancels it on this session's own thread.
void Session::park(const std::function<void(std::function<void()>)>& arm,
                   std::function<void(Session&)> resume) {
    deadline_.clear();
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

void Session::send_stream(Response&& head, std::unique_ptr<ChunkSource> source) {
    stream_.source = std::move(source);
    stream_.done = false;
    // HTTP/1.1 gets chunks; HTTP/1.0 knows no chunked encoding, so its body is the raw bytes
    // until the connection closes. Either way only one piece is in memory at a time.
    stream_.chunked = head.version() >= 11;
    stream_.keep_alive = stream_.chunked && head.keep_alive();
    head.keep_alive(stream_.keep_alive);
    head.chunked(stream_.chunked);
    head_.clear();
    append_response_head(head.base(), head_);
    deadline_.expires_after(limits_.write_timeout);
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
    deadline_.expires_after(limits_.write_timeout);
    if (stream_.done) {
        if (!stream_.chunked) return on_chunk_written(true, {});
        boost::asio::async_write(socket_, http::make_chunk_last(), written(true));
        return;
    }
    stream_.chunk.clear();
    try {
        stream_.done = !stream_.source->next(stream_.chunk, 64 * 1024);
    } catch (const std::exception&) {
        // No final chunk: the client must see a broken stream, never a complete-looking one.
        return close();
    }
    if (stream_.chunk.empty()) {
        // Nothing yet (a live event stream): wait for the source instead of spinning.
        return park(
            [this](std::function<void()> wake) { stream_.source->on_ready(std::move(wake)); },
            [](Session& self) { self.send_next_chunk(); });
    }
    if (!stream_.chunked) {
        boost::asio::async_write(socket_, boost::asio::buffer(stream_.chunk), written(false));
        return;
    }
    boost::asio::async_write(socket_, http::make_chunk(boost::asio::buffer(stream_.chunk)),
                             written(false));
}

void Session::on_chunk_written(bool last, beast::error_code ec) {
    if (ec) return close();
    if (!last) return send_next_chunk();
    stream_.source.reset();
    on_write(stream_.keep_alive, ec, 0);
}

// After an answer that ends the connection (413, 431, Connection: close) the client may still be
// sending the rest of its request. Closing at once would reset the connection and the client
// could lose the answer it has not read yet; so, like nginx's lingering close, stop sending, read
// and discard for a bounded time and amount, then close.
void Session::linger() {
    beast::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    // One deadline for the whole lingering, so a trickling client cannot extend it.
    deadline_.expires_after(std::chrono::seconds(2));
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

}  // namespace piotd::daemon
