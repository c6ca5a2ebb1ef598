// A blocking HTTP/1.1 client (plain or TLS) for the replication thread and the document relay: one
// keep-alive connection to the upstream, every operation bounded by a timeout, bodies bounded in
// size, and streamed bodies handed over line by line so a million-item snapshot never sits in
// memory.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/replication/upstream_url.hpp"

namespace piotd::daemon {

// The upstream could not be talked to (refused, reset, timed out, not HTTP, over a limit).
class UpstreamError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct UpstreamReply {
    int status = 0;
    std::string body;
    // The answer's Retry-After in seconds (retry_after.hpp), when it has one.
    std::optional<std::chrono::seconds> retry_after;
};

class UpstreamClient {
public:
    // An https:// URL is spoken over TLS with the peer verified (system CAs plus `ca_file` when
    // not empty; throws std::runtime_error when it cannot be loaded).
    UpstreamClient(UpstreamUrl url, std::string user, std::string password,
                   std::chrono::milliseconds timeout, const std::string& ca_file = {});
    ~UpstreamClient();

    // GET `target` (a path below the URL's base); the body is read whole, up to `max_body`.
    UpstreamReply get(const std::string& target, std::size_t max_body = 16u << 20);

    // GET `target` and hand each body line (without its '\n') to `on_line` as it arrives. Lines
    // longer than `max_line` are an UpstreamError. A non-200 answer is read whole (bounded) and
    // returned without calling `on_line`. Returns the status; `complete` tells whether the body
    // ended properly (a stream cut mid-way throws).
    UpstreamReply get_lines(const std::string& target,
                            const std::function<void(std::string_view line)>& on_line,
                            std::size_t max_line = 4096);

    // Any method with a body and extra headers (an Authorization among them replaces the Basic
    // one); the answer is read whole, up to `max_body`. Used by the document relay.
    using Headers = std::vector<std::pair<std::string, std::string>>;
    UpstreamReply send(boost::beast::http::verb method, const std::string& target,
                       const std::string& body, const Headers& headers,
                       std::size_t max_body = 1u << 20);

    // Drops the connection (after an error, or to make the next request reconnect).
    void disconnect();
    // From another thread: makes the operation under way, and every later one, fail at once
    // with UpstreamError (used at shutdown, so a slow stream does not hold the daemon up).
    void interrupt();

private:
    void connect();
    // The TCP layer under the plain or the TLS stream: timeouts and closing act on it.
    boost::beast::tcp_stream& tcp();
    // Calls `operation` with whichever stream is connected.
    template <typename Operation>
    auto with_stream(Operation&& operation);
    template <typename Operation>
    void run(Operation&& start, const char* what);
    template <typename Body>
    void write_request(boost::beast::http::request<Body>& request);
    UpstreamReply read_reply(std::size_t max_body);
    std::string authorization() const;
    std::string describe(const boost::beast::error_code& ec) const;

    UpstreamUrl url_;
    std::string user_;
    std::string password_;
    std::chrono::milliseconds timeout_;
    boost::asio::io_context io_;
    std::atomic<bool> interrupted_{false};
    std::unique_ptr<boost::asio::ssl::context> tls_;  // set for https://
    std::unique_ptr<boost::beast::tcp_stream> stream_;
    std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_stream_;
    boost::beast::flat_buffer buffer_;
};

}  // namespace piotd::daemon
