#include "daemon/http/server.hpp"

#include <sched.h>
#include <sys/socket.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <cstring>
#include <system_error>

#include "daemon/http/client_cpu_steering.hpp"
#include "daemon/http/drained_read_buffer.hpp"
#include "daemon/http/idle_connections.hpp"
#include "daemon/http/json_error.hpp"
#include "daemon/http/session.hpp"
#include "daemon/listen_address.hpp"
#include "daemon/log.hpp"

namespace piotd::daemon {

namespace asio = boost::asio;
using asio::ip::tcp;
// Accepts sockets bound to its io_context's own executor type (Session::Socket).
using Acceptor = asio::basic_socket_acceptor<tcp, asio::io_context::executor_type>;

struct HttpServer::Worker {
    // This thread's sessions waiting for their next request. Declared first, so destroyed
    // last: the io_context's destruction destroys the sessions still in it.
    IdleConnections idle;
    // One thread per context, and every socket and timer of a context is used only on its
    // thread: sessions, the online client's connections (one pool per thread), and other
    // threads reach a session only by posting to its executor. So Asio may skip the lock it
    // takes per descriptor on every read and write (three per request, ~165 instructions);
    // the scheduler keeps its lock, which those posts need.
    asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
    Acceptor acceptor{io};
    asio::steady_timer retry{io};
    // Always pending and due within a second, so it stays the earliest timer of the context:
    // Asio reprograms its timerfd (a syscall) only when a new timer becomes the earliest, so the
    // sessions' per-request timeouts (2 s and more) then cost no syscall. Measured with strace:
    // two timerfd_settime per request without it.
    asio::steady_timer tick{io};
};

namespace {

using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// The port, checked free with a socket that does not join SO_REUSEPORT groups: the group's own
// sockets would join another process's group on that port (a second piotd of the same user) and
// silently share its connections, where the port must be reported taken. Returns the endpoint
// to bind, with the kernel's choice when port 0 was asked for. (A process that binds the port
// between this check and the group's bind, within microseconds, is not caught.)
tcp::endpoint claim_free_port(const tcp::endpoint& endpoint) {
    asio::io_context io;
    Acceptor probe(io);
    probe.open(endpoint.protocol());
    probe.set_option(asio::socket_base::reuse_address(true));  // as the group: TIME_WAIT is free
    boost::system::error_code ec;
    probe.bind(endpoint, ec);
    if (ec) throw cannot_listen(ec, endpoint);
    return probe.local_endpoint();
}

void open_acceptor(Acceptor& acceptor, const tcp::endpoint& endpoint) {
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.set_option(reuse_port(true));
    boost::system::error_code ec;
    acceptor.bind(endpoint, ec);
    if (ec) throw cannot_listen(ec, endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    // Accepted sockets inherit TCP_INQ, which lets a session's read after an answer wait for
    // epoll instead of a recv that finds nothing (drained_read_buffer.hpp). Optional: without
    // it reads behave as Asio's own.
    enable_drained_reads(acceptor.native_handle());
}

// Sent to a client that arrives while the server is at its connection limit. Written once with a
// non-blocking send; whatever does not fit is dropped with the connection.
const std::string& too_many_connections_answer() {
    static const std::string answer = [] {
        const std::string body =
            json_error_body(http::status::service_unavailable, ApiError::too_many_connections,
                            "too many connections, retry shortly");
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; "
               "charset=utf-8\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    return answer;
}

// The CPUs this process may run on (a systemd CPUAffinity= narrows them); 1 if unknown.
unsigned usable_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    return static_cast<unsigned>(CPU_COUNT(&set));
}

void keep_ticking(asio::steady_timer& tick) {
    tick.expires_after(std::chrono::seconds(1));
    tick.async_wait([&tick](boost::system::error_code ec) {
        if (!ec) keep_ticking(tick);
    });
}

}  // namespace

HttpServer::HttpServer(const tcp::endpoint& endpoint, const ServerLimits& limits,
                       RequestHandler& handler)
    : limits_(limits), handler_(handler) {
    const unsigned threads = limits_.threads == 0 ? 1 : limits_.threads;
    const tcp::endpoint target = claim_free_port(endpoint);
    for (unsigned i = 0; i < threads; ++i) {
        auto worker = std::make_unique<Worker>();
        open_acceptor(worker->acceptor, target);
        workers_.push_back(std::move(worker));
    }
    // With more threads than CPUs, CPU mod threads would never pick some threads: they keep the
    // hash then.
    if (threads > 1 && threads <= usable_cpus() && target.address().is_loopback()) {
        steers_by_client_cpu_ =
            steer_connections_by_client_cpu(workers_.front()->acceptor.native_handle(), threads);
        if (!steers_by_client_cpu_) {
            log_warning("http", std::string("connections are hashed over the I/O threads (") +
                                    std::strerror(errno) + "): the kernel refused CPU steering");
        }
    }
    bound_ = target;
}

HttpServer::~HttpServer() {
    stop();
}

void HttpServer::start() {
    for (auto& worker : workers_) {
        keep_ticking(worker->tick);
        accept_next(*worker);
    }
    for (auto& worker : workers_) {
        threads_.emplace_back([w = worker.get()] { w->io.run(); });
    }
}

void HttpServer::accept_next(Worker& worker) {
    worker.acceptor.async_accept(
        [this, &worker](boost::system::error_code ec, Session::Socket socket) {
            if (ec == asio::error::operation_aborted) return;
            if (!ec) {
                const std::size_t open = connections_.fetch_add(1, std::memory_order_relaxed);
                if (open >= limits_.max_connections && !make_room(worker, open)) {
                    connections_.fetch_sub(1, std::memory_order_relaxed);
                    refused_.fetch_add(1, std::memory_order_relaxed);
                    boost::system::error_code ignored;
                    socket.non_blocking(true, ignored);
                    socket.write_some(asio::buffer(too_many_connections_answer()), ignored);
                    socket.shutdown(Session::Socket::shutdown_both, ignored);
                    socket.close(ignored);
                } else {
                    std::make_shared<Session>(std::move(socket), limits_, handler_, connections_,
                                              worker.idle)
                        ->start();
                }
            }
            if (ec) {
                // EMFILE and friends are transient; retrying at once would spin on the same error.
                worker.retry.expires_after(std::chrono::milliseconds(50));
                worker.retry.async_wait([this, &worker](boost::system::error_code wait_ec) {
                    if (!wait_ec) accept_next(worker);
                });
                return;
            }
            accept_next(worker);
        });
}

// At the limit: the connection idle the longest, of all threads, makes room: evicted at once
// when it is this thread's, else posted to its thread (the count may pass the limit by the
// evictions under way, at most kEvictionSlack).
bool HttpServer::make_room(Worker& worker, std::size_t open) {
    constexpr std::size_t kEvictionSlack = 64;
    if (open >= limits_.max_connections + kEvictionSlack) return false;
    Worker* oldest = &worker;
    for (auto& other : workers_) {
        if (other->idle.oldest_since() < oldest->idle.oldest_since()) oldest = other.get();
    }
    if (oldest == &worker) {
        if (!worker.idle.evict_oldest()) return false;
        evicted_.fetch_add(1, std::memory_order_relaxed);
        return true;
    }
    asio::post(oldest->io, [this, oldest] {
        if (oldest->idle.evict_oldest()) evicted_.fetch_add(1, std::memory_order_relaxed);
    });
    return true;
}

std::vector<asio::io_context*> HttpServer::event_loops() const {
    std::vector<asio::io_context*> loops;
    for (const auto& worker : workers_) loops.push_back(&worker->io);
    return loops;
}

void HttpServer::stop() {
    if (stopped_) return;
    stopped_ = true;
    for (auto& worker : workers_) {
        asio::post(worker->io, [w = worker.get()] {
            boost::system::error_code ignored;
            w->acceptor.close(ignored);
            w->retry.cancel();
            w->tick.cancel();
            w->io.stop();
        });
    }
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
    workers_.clear();
}

}  // namespace piotd::daemon
