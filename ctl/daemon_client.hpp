// A blocking HTTP/1.1 client for piotctl: one keep-alive connection to the daemon (or an upstream,
// for doctor), every operation bounded by a timeout.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "daemon/replication/upstream_url.hpp"

namespace piotd::ctl {

// Could not connect, or the connection broke or timed out.
class Unreachable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct HttpAnswer {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
};

class DaemonClient {
public:
    DaemonClient(daemon::UpstreamUrl url, std::string user, std::string password,
                 std::chrono::milliseconds timeout);
    ~DaemonClient();

    HttpAnswer get(const std::string& target) { return request("GET", target, {}); }
    HttpAnswer post(const std::string& target, const std::string& body) {
        return request("POST", target, body);
    }
    // `target` is below the URL's base path. Throws Unreachable.
    HttpAnswer request(const std::string& method, const std::string& target,
                       const std::string& body);

    const daemon::UpstreamUrl& url() const { return url_; }
    std::string url_text() const;

private:
    HttpAnswer attempt(const std::string& method, const std::string& target,
                       const std::string& body);

    daemon::UpstreamUrl url_;
    std::string authorization_;
    std::chrono::milliseconds timeout_;
    boost::asio::io_context io_;
    std::unique_ptr<boost::beast::tcp_stream> stream_;
    boost::beast::flat_buffer buffer_;
};

}  // namespace piotd::ctl
