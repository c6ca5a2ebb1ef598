// One HTTP connection: read a request (with idle, read and size limits), hand it to the
// RequestHandler, write the answer, repeat while keep-alive. Broken HTTP closes the connection;
// a request that is well-formed HTTP but too large gets a JSON 413/431 first.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include "daemon/http/request_handler.hpp"
#include "daemon/http/server_limits.hpp"

namespace piotd::daemon {

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(boost::asio::ip::tcp::socket&& socket, const ServerLimits& limits,
            RequestHandler& handler, std::atomic<std::size_t>& connections);
    ~Session();

    void start();

private:
    void wait_for_request();
    void on_first_bytes(boost::beast::error_code ec, std::size_t bytes);
    void read_request();
    void on_header(boost::beast::error_code ec, std::size_t bytes);
    void read_body();
    bool apply_body_limit(boost::beast::error_code& ec);
    bool parse_buffered(boost::beast::error_code& ec);
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void answer(Reply reply);
    void park(const std::function<void(std::function<void()>)>& arm,
              std::function<void(Session&)> resume);
    void send(Response&& response);
    void send_stream(Response&& head, std::unique_ptr<ChunkSource> source);
    void on_stream_head(boost::beast::error_code ec);
    void send_next_chunk();
    void on_chunk_written(bool last, boost::beast::error_code ec);
    void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
    void close();
    void linger();
    void discard();
    void on_linger(boost::beast::error_code ec, std::size_t bytes);

    boost::beast::tcp_stream stream_;
    boost::asio::steady_timer wake_;  // parks the session while another thread works for it
    boost::beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    bool body_limit_applied_ = false;  // the route's body limit is set on parser_
    Response response_;
    // Streaming answers: the head goes out through its own serializer, then chunks one by one.
    std::unique_ptr<ChunkSource> source_;
    std::unique_ptr<http::response<http::empty_body>> stream_head_;
    std::unique_ptr<http::response_serializer<http::empty_body>> stream_serializer_;
    std::string chunk_;
    bool stream_keep_alive_ = false;
    bool source_done_ = false;
    bool stream_chunked_ = true;
    std::size_t lingered_ = 0;
    const ServerLimits& limits_;
    RequestHandler& handler_;
    std::atomic<std::size_t>& connections_;
};

}  // namespace piotd::daemon
