// The HTTP/1.1 server (Boost.Beast). One io_context per thread, each with its own acceptor on the
// same port (SO_REUSEPORT), so a connection lives on one thread for its whole life and the hot
// path takes no lock. On loopback a connection goes to the thread of its client's CPU
// (client_cpu_steering.hpp). At the connection limit a new client takes the slot of the
// connection idle the longest (idle_connections.hpp); with none idle it gets a 503 JSON answer
// and is closed.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "daemon/http/request_handler.hpp"
#include "daemon/http/server_limits.hpp"

namespace piotd::daemon {

class HttpServer {
public:
    // Binds immediately (throws std::system_error with a clear message if the port is taken).
    HttpServer(const boost::asio::ip::tcp::endpoint& endpoint, const ServerLimits& limits,
               RequestHandler& handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // The bound endpoint (the real port when 0 was asked for).
    boost::asio::ip::tcp::endpoint local_endpoint() const { return bound_; }
    // Starts the I/O threads; returns at once.
    void start();
    // Stops accepting, closes connections, joins the threads. Idempotent.
    void stop();

    // The event loops, one per I/O thread (the systemd watchdog stamps a heartbeat on each).
    std::vector<boost::asio::io_context*> event_loops() const;

    // Whether new connections go to the thread of their client's CPU (client_cpu_steering.hpp)
    // rather than by the kernel's hash.
    bool steers_by_client_cpu() const { return steers_by_client_cpu_; }

    std::size_t open_connections() const { return connections_.load(std::memory_order_relaxed); }
    std::uint64_t refused_connections() const { return refused_.load(std::memory_order_relaxed); }
    std::uint64_t evicted_connections() const { return evicted_.load(std::memory_order_relaxed); }

private:
    struct Worker;
    void accept_next(Worker& worker);
    bool make_room(Worker& worker, std::size_t open);

    ServerLimits limits_;
    RequestHandler& handler_;
    boost::asio::ip::tcp::endpoint bound_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::thread> threads_;
    std::atomic<std::size_t> connections_{0};
    std::atomic<std::uint64_t> refused_{0};
    std::atomic<std::uint64_t> evicted_{0};
    bool steers_by_client_cpu_ = false;
    bool stopped_ = false;
};

}  // namespace piotd::daemon
