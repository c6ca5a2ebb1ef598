// One HTTP connection: read a request (with idle, read and size limits), hand it to the
// RequestHandler, write the answer, repeat while keep-alive. Broken HTTP closes the connection;
// a request that is well-formed HTTP but too large gets a JSON 413/431 first.
//
// Three files: session.cpp is the request/response loop (the plain fast path and Beast's parser
// for everything else, one gather write per answer); session_head.cpp what the head alone
// decides before a body is read; session_stream.cpp the replies that are not one write (parked
// while another thread works, streamed from a ChunkSource, the lingering close).
#pragma once

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/http/connection_deadline.hpp"
#include "daemon/http/idle_connections.hpp"
#include "daemon/http/plain_request.hpp"
#include "daemon/http/request_handler.hpp"
#include "daemon/http/request_parser.hpp"
#include "daemon/http/server_limits.hpp"

namespace piotd::daemon {

class Session : public std::enable_shared_from_this<Session>, public IdleConnections::Member {
public:
    // The connection's own io_context's executor, not the type-erased any_io_executor: every
    // completion would otherwise copy and destroy one (perf: ~4 % of piotd's user time).
    using Executor = boost::asio::io_context::executor_type;
    using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;
    using Timer = boost::asio::basic_waitable_timer<
        std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, Executor>;

    // `idle`: the idle connections of this connection's I/O thread (idle_connections.hpp).
    Session(Socket&& socket, const ServerLimits& limits, RequestHandler& handler,
            std::atomic<std::size_t>& connections, IdleConnections& idle);
    ~Session();

    void start();

private:
    void evict() override;
    // The loop (session.cpp).
    void wait_for_request();
    void on_first_bytes(boost::beast::error_code ec, std::size_t bytes);
    void read_request();
    bool read_plain_request();
    bool host_allowed(std::string_view host, unsigned version);
    void on_header(boost::beast::error_code ec, std::size_t bytes);
    void read_body();
    bool parse_buffered(boost::beast::error_code& ec);
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void answer(Reply reply);
    void send(Response&& response, bool keep_alive);
    void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
    void close();
    // The head's decisions (session_head.cpp).
    bool check_head(boost::beast::error_code& ec);
    void refuse(unsigned version, std::string_view host);
    // Parked, streamed and lingering replies (session_stream.cpp).
    void park(const std::function<void(std::function<void()>)>& arm,
              std::function<void(Session&)> resume);
    void send_stream(Response&& head, std::unique_ptr<ChunkSource> source);
    void on_stream_head(boost::beast::error_code ec);
    void send_next_chunk();
    void on_chunk_written(bool last, boost::beast::error_code ec);
    void linger();
    void discard();
    void on_linger(boost::beast::error_code ec, std::size_t bytes);

    // Refusals the head alone decides (check_head), answered before routing.
    enum class Refusal : unsigned char {
        none,
        misdirected,
        repeated_host,
        expectation_failed,
        by_route,     // the handler refused the head (401, 403, 404, 405): route_refusal
        bodies_busy,  // the body does not fit the shared budget (503)
    };
    // What check_head decided for the request being read.
    struct HeadDecision {
        bool body_limit_applied = false;  // the route's body limit is set on parser_
        Refusal refusal = Refusal::none;
        std::optional<Response> route_refusal;
        bool send_continue = false;  // 100 Continue owed before the body is read
    };
    // A streamed answer: the head goes out first, then chunks one by one.
    struct Stream {
        std::unique_ptr<ChunkSource> source;
        std::string chunk;
        bool keep_alive = false;
        bool done = false;
        bool chunked = true;
    };

    Socket socket_;
    ConnectionDeadline deadline_;  // ends a read or write that takes too long
    Timer wake_;                   // parks the session while another thread works for it
    boost::beast::flat_buffer buffer_;
    // The parsed request's target and fields (see RequestAllocator): released as each request
    // starts, so a connection reuses the same bytes; a larger head spills to the heap.
    alignas(std::max_align_t) std::byte arena_buffer_[1024];
    std::pmr::monotonic_buffer_resource arena_{arena_buffer_, sizeof arena_buffer_};
    // A plain request (plain_request.hpp) is scanned into plain_ and built straight into
    // request_; any other goes through parser_, and its message is moved to request_ when done.
    PlainRequest plain_;
    std::optional<RequestParser> parser_;
    HeadDecision decided_;
    // The body's share of limits_.body_budget, held until the request is done.
    BodyBudget::Reservation body_reservation_;
    std::optional<Request> request_;
    bool request_keeps_alive_ = false;  // what the request's version and Connection fields ask
    Response response_;
    std::string head_;  // the answer's status line and fields, written by append_response_head
    Stream stream_;
    std::size_t lingered_ = 0;
    const ServerLimits& limits_;
    RequestHandler& handler_;
    std::atomic<std::size_t>& connections_;
    IdleConnections& idle_;
};

}  // namespace piotd::daemon
