// One asynchronous HTTP/1.1 request and its answer over plain TCP or TLS, bounded by a deadline:
// resolve, connect, handshake (certificate and host name verified, SNI set), write, read. The
// True API client runs many of these at once on its own io_context, so a hanging CDN host never
// holds an HTTP I/O thread and a deadline is kept to the millisecond.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/replication/upstream_url.hpp"

namespace piotd::daemon {

struct ExchangeRequest {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string target;         // path below the URL's base, starting with '/'
    std::string body;           // sent as application/json when not empty
    std::string api_key;        // X-API-KEY when not empty; never logged
    std::string authorization;  // Authorization when not empty ("Basic …"); never logged
    std::string client_id;      // X-ClientId when not empty (the local module's, lm-api.md §2.1)
    std::size_t max_body = 4u << 20;
};

struct ExchangeResult {
    // Empty when an HTTP answer arrived (whatever its status); otherwise what went wrong
    // ("timed out", "connect: Connection refused", "TLS handshake: certificate verify failed").
    std::string failure;
    bool timed_out = false;
    int status = 0;
    std::string body;
    std::chrono::steady_clock::duration elapsed{};
};

using ExchangeHandler = std::function<void(ExchangeResult)>;

struct PooledConnection;

// Keep-alive connections per host, so a check costs one round trip, not a TCP connect and a TLS
// handshake too. Used from one thread only, with one executor: its connections belong to it. A
// connection idle for longer than `max_idle` is not reused (servers close idle connections; a stale
// one costs a retry).
class ConnectionPool {
public:
    explicit ConnectionPool(std::size_t per_host = 4,
                            std::chrono::seconds max_idle = std::chrono::seconds(30))
        : per_host_(per_host), max_idle_(max_idle) {}
    std::shared_ptr<PooledConnection> take(const std::string& key);
    void give(const std::string& key, std::shared_ptr<PooledConnection> connection);
    void clear() { idle_.clear(); }

private:
    std::size_t per_host_;
    std::chrono::seconds max_idle_;
    std::map<std::string, std::vector<std::shared_ptr<PooledConnection>>> idle_;
};

// Starts the exchange on `executor` (one thread); `done` runs once there. `tls` is used for
// https:// URLs only. With a pool, an idle connection to the host is reused when there is one (a
// reused connection that turns out closed is replaced by a fresh one once), and the connection goes
// back to the pool after a complete keep-alive answer.
void start_exchange(const boost::asio::any_io_executor& executor, boost::asio::ssl::context& tls,
                    ConnectionPool* pool, const UpstreamUrl& url, ExchangeRequest request,
                    std::chrono::steady_clock::time_point deadline, ExchangeHandler done);

// A TLS client context: system CAs, plus `ca_file` when not empty; peers are verified.
// Throws std::runtime_error when `ca_file` cannot be loaded.
void configure_tls_client(boost::asio::ssl::context& tls, const std::string& ca_file);

}  // namespace piotd::daemon
