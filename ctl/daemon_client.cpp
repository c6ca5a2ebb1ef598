#include "ctl/daemon_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <cctype>

namespace piotd::ctl {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

DaemonClient::DaemonClient(daemon::UpstreamUrl url, std::string user, std::string password,
                           std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {
    if (!user.empty() || !password.empty()) {
        const std::string credentials = user + ":" + password;
        std::string encoded(beast::detail::base64::encoded_size(credentials.size()), '\0');
        encoded.resize(
            beast::detail::base64::encode(encoded.data(), credentials.data(), credentials.size()));
        authorization_ = "Basic " + encoded;
    }
}

DaemonClient::~DaemonClient() = default;

std::string DaemonClient::url_text() const {
    return "http://" + url_.host + ":" + url_.port + url_.base;
}

HttpAnswer DaemonClient::request(const std::string& method, const std::string& target,
                                 const std::string& body) {
    // A kept-alive connection the daemon closed meanwhile fails the first try: reconnect once.
    const bool reused = stream_ != nullptr;
    try {
        return attempt(method, target, body);
    } catch (const Unreachable&) {
        stream_.reset();
        if (!reused) throw;
    }
    return attempt(method, target, body);
}

HttpAnswer DaemonClient::attempt(const std::string& method, const std::string& target,
                                 const std::string& body) {
    beast::error_code ec;
    if (!stream_) {
        tcp::resolver resolver(io_);
        const auto endpoints = resolver.resolve(url_.host, url_.port, ec);
        if (ec) throw Unreachable("cannot resolve " + url_.host + ": " + ec.message());
        stream_ = std::make_unique<beast::tcp_stream>(io_);
        stream_->expires_after(timeout_);
        stream_->connect(endpoints, ec);
        if (ec) {
            stream_.reset();
            throw Unreachable("cannot connect to " + url_text() + ": " + ec.message());
        }
        buffer_.clear();
    }
    http::request<http::string_body> req(http::string_to_verb(method), url_.base + target, 11);
    req.set(http::field::host, url_.host + ":" + url_.port);
    req.set(http::field::user_agent, "piotctl");
    if (!authorization_.empty()) req.set(http::field::authorization, authorization_);
    if (!body.empty() || method == "POST") {
        req.set(http::field::content_type, "application/json");
        req.body() = body;
    }
    req.prepare_payload();
    stream_->expires_after(timeout_);
    http::write(*stream_, req, ec);
    if (ec) {
        stream_.reset();
        throw Unreachable("cannot send to " + url_text() + ": " + ec.message());
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    http::read(*stream_, buffer_, parser, ec);
    if (ec) {
        stream_.reset();
        throw Unreachable("no HTTP answer from " + url_text() + ": " + ec.message());
    }
    const auto& res = parser.get();
    HttpAnswer answer;
    answer.status = static_cast<int>(res.result_int());
    answer.body = res.body();
    for (const auto& field : res) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        answer.headers[name] = std::string(field.value());
    }
    if (!res.keep_alive()) stream_.reset();
    return answer;
}

}  // namespace piotd::ctl
