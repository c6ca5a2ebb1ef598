#include "tests/support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <chrono>

#include "protocol/text/base64.hpp"

namespace piotd::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

struct HttpClient::Impl {
    unsigned short port;
    asio::io_context io;
    std::unique_ptr<beast::tcp_stream> stream;
    beast::flat_buffer buffer;

    void connect() {
        stream = std::make_unique<beast::tcp_stream>(io);
        stream->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        buffer.clear();
    }
};

std::string basic_authorization(const std::string& user, const std::string& password) {
    return "Basic " + protocol::base64_encode(user + ":" + password);
}

std::string url_encode(const std::string& text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

HttpClient::HttpClient(unsigned short port, std::string user, std::string password)
    : impl_(std::make_unique<Impl>()), authorization_(basic_authorization(user, password)) {
    impl_->port = port;
}

HttpClient::~HttpClient() = default;

HttpReply HttpClient::get(const std::string& target) {
    return request("GET", target);
}

HttpReply HttpClient::post(const std::string& target, const std::string& body) {
    return request("POST", target, body);
}

HttpReply HttpClient::request(const std::string& method, const std::string& target,
                              const std::string& body, const std::string& authorization,
                              const std::map<std::string, std::string>& headers) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (authorization == "-") {
        req.set(http::field::authorization, authorization_);
    } else if (!authorization.empty()) {
        req.set(http::field::authorization, authorization);
    }
    if (!body.empty() || method == "POST") {
        req.set(http::field::content_type, "application/json");
        req.body() = body;
    }
    for (const auto& [name, value] : headers) req.set(name, value);
    req.keep_alive(true);
    req.prepare_payload();

    // One retry on a fresh connection: the server may have closed an idle keep-alive one.
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            if (!impl_->stream) impl_->connect();
            impl_->stream->expires_after(std::chrono::seconds(30));
            http::write(*impl_->stream, req);
            http::response_parser<http::string_body> parser;
            parser.body_limit(64u << 20);
            http::read(*impl_->stream, impl_->buffer, parser);
            const auto& res = parser.get();
            HttpReply reply;
            reply.status = static_cast<int>(res.result_int());
            reply.body = res.body();
            for (const auto& field : res) {
                std::string name(field.name_string());
                for (auto& ch : name)
                    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                reply.headers[name] = std::string(field.value());
            }
            if (!res.keep_alive()) impl_->stream.reset();
            return reply;
        } catch (const std::exception&) {
            impl_->stream.reset();
            if (attempt == 1) throw;
        }
    }
    return {};
}

std::string HttpClient::raw_exchange(unsigned short port, const std::string& bytes, int timeout_ms,
                                     bool half_close) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    beast::error_code ec;
    asio::write(stream.socket(), asio::buffer(bytes), ec);
    if (half_close) stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::string received;
    char chunk[4096];
    for (;;) {
        stream.expires_after(std::chrono::milliseconds(timeout_ms));
        const std::size_t n = stream.read_some(asio::buffer(chunk), ec);
        if (ec) break;
        received.append(chunk, n);
    }
    return received;
}

}  // namespace piotd::test
