// One GET over a fresh loopback connection, read to the end with Beast's parser, for the unit
// tests of streamed answers: whether the answer arrived whole, and how.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <string>

namespace piotd::test {

struct Fetched {
    bool complete = false;
    unsigned status = 0;
    std::string body;
    bool chunked = false;
    std::string retry_after;
};

inline Fetched fetch(unsigned short port, const std::string& target, unsigned version = 11) {
    namespace asio = boost::asio;
    namespace beast = boost::beast;
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    beast::http::request<beast::http::empty_body> request{beast::http::verb::get, target, version};
    request.set(beast::http::field::host, "127.0.0.1");
    request.set(beast::http::field::authorization, "Basic YWRtaW46YWRtaW4=");
    beast::http::write(stream, request);
    beast::flat_buffer buffer;
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(64u << 20);
    beast::error_code ec;
    beast::http::read(stream, buffer, parser, ec);
    Fetched fetched;
    fetched.complete = !ec;
    fetched.status = parser.get().result_int();
    fetched.chunked = parser.chunked();
    fetched.body = parser.get().body();
    fetched.retry_after = std::string(parser.get()[beast::http::field::retry_after]);
    return fetched;
}

}  // namespace piotd::test
