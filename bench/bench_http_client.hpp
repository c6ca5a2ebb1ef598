// A blocking keep-alive HTTP/1.1 client for the benchmark programs, with their percentile
// helper: one connection, Nagle off, so every request is one round trip the way a POS terminal
// makes it.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "bench/percentile.hpp"

#include <string>
#include <utility>
#include <vector>

namespace piotd::bench {

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
public:
    explicit HttpClient(unsigned short port) : stream_(io_) {
        stream_.connect(
            boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
        stream_.socket().set_option(boost::asio::ip::tcp::no_delay(true));
    }

    // Returns the HTTP status; the body is in last_body().
    int request(boost::beast::http::verb method, const std::string& target, const std::string& body,
                const Headers& headers) {
        namespace http = boost::beast::http;
        http::request<http::string_body> request{method, target, 11};
        request.set(http::field::host, "127.0.0.1");
        if (!body.empty()) request.set(http::field::content_type, "application/json");
        for (const auto& [name, value] : headers) request.set(name, value);
        request.body() = body;
        request.prepare_payload();
        http::write(stream_, request);
        http::response<http::string_body> response;
        http::read(stream_, buffer_, response);
        last_body_ = std::move(response.body());
        return static_cast<int>(response.result_int());
    }
    int get(const std::string& target, const Headers& headers) {
        return request(boost::beast::http::verb::get, target, {}, headers);
    }
    int post(const std::string& target, const std::string& body, const Headers& headers) {
        return request(boost::beast::http::verb::post, target, body, headers);
    }
    const std::string& last_body() const { return last_body_; }

private:
    boost::asio::io_context io_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::string last_body_;
};

}  // namespace piotd::bench
