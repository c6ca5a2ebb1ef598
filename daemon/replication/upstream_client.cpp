#include "daemon/replication/upstream_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include <boost/asio/ssl/host_name_verification.hpp>

#include "daemon/replication/retry_after.hpp"
#include "daemon/trueapi/http_exchange.hpp"
#include "protocol/text/base64.hpp"

namespace piotd::daemon {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::asio::ip::tcp;

UpstreamClient::UpstreamClient(UpstreamUrl url, std::string user, std::string password,
                               std::chrono::milliseconds timeout, const std::string& ca_file)
    : url_(std::move(url)),
      user_(std::move(user)),
      password_(std::move(password)),
      timeout_(timeout) {
    if (url_.tls) {
        tls_ = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
        configure_tls_client(*tls_, ca_file);
    }
}

UpstreamClient::~UpstreamClient() = default;

std::string UpstreamClient::authorization() const {
    return "Basic " + protocol::base64_encode(user_ + ":" + password_);
}

// Runs one asynchronous operation to completion on the private io_context. tcp_stream's own
// timer bounds it: a peer that stops answering costs at most `timeout_`.
// Beast's own text for a timeout ("The socket was closed due to a timeout") hides the figure a
// technician needs to tune upstream.timeout_ms.
std::string UpstreamClient::describe(const beast::error_code& ec) const {
    if (ec == beast::error::timeout) {
        return "timed out after " + std::to_string(timeout_.count()) + " ms";
    }
    return ec.message();
}

void UpstreamClient::interrupt() {
    interrupted_.store(true);
    io_.stop();
}

beast::tcp_stream& UpstreamClient::tcp() {
    return tls_stream_ ? beast::get_lowest_layer(*tls_stream_) : *stream_;
}

template <typename Operation>
auto UpstreamClient::with_stream(Operation&& operation) {
    if (tls_stream_) return operation(*tls_stream_);
    return operation(*stream_);
}

template <typename Operation>
void UpstreamClient::run(Operation&& start, const char* what) {
    if (interrupted_.load()) throw UpstreamError("replication stopped");
    beast::error_code result = boost::asio::error::would_block;
    tcp().expires_after(timeout_);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    if (interrupted_.load()) result = boost::asio::error::operation_aborted;
    if (result) {
        disconnect();
        throw UpstreamError(std::string(what) + " " + url_.host + ":" + url_.port + ": " +
                            describe(result));
    }
}

void UpstreamClient::connect() {
    if (stream_ || tls_stream_) return;
    tcp::resolver resolver(io_);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(url_.host, url_.port, ec);
    if (ec) throw UpstreamError("cannot resolve upstream " + url_.host + ": " + ec.message());
    buffer_.clear();
    if (!tls_) {
        stream_ = std::make_unique<beast::tcp_stream>(io_);
    } else {
        tls_stream_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, *tls_);
        // SNI, and the certificate must name the host we asked for.
        if (!SSL_set_tlsext_host_name(tls_stream_->native_handle(), url_.host.c_str())) {
            tls_stream_.reset();
            throw UpstreamError("TLS: cannot set the server name " + url_.host);
        }
        tls_stream_->set_verify_callback(boost::asio::ssl::host_name_verification(url_.host));
    }
    run([&](auto handler) { tcp().async_connect(endpoints, std::move(handler)); }, "connect to");
    tcp().socket().set_option(tcp::no_delay(true), ec);
    if (tls_stream_) {
        run(
            [&](auto handler) {
                tls_stream_->async_handshake(boost::asio::ssl::stream_base::client,
                                             std::move(handler));
            },
            "TLS handshake with");
    }
}

void UpstreamClient::disconnect() {
    if (!stream_ && !tls_stream_) return;
    // No TLS close_notify: the connection is dropped after an error or a refused answer, and
    // waiting for the peer's reply would only add a timeout.
    beast::error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().close();
    stream_.reset();
    tls_stream_.reset();
    buffer_.clear();
}

namespace {

http::request<http::empty_body> make_request(const UpstreamUrl& url, const std::string& target,
                                             const std::string& authorization) {
    http::request<http::empty_body> request{http::verb::get, url.base + target, 11};
    request.set(http::field::host, url.host);
    request.set(http::field::authorization, authorization);
    request.set(http::field::accept, "application/json, application/x-ndjson");
    request.set(http::field::user_agent, "piotd");
    request.keep_alive(true);
    return request;
}

template <typename Fields>
std::optional<std::chrono::seconds> retry_after_of(const Fields& fields) {
    const auto found = fields.find(http::field::retry_after);
    if (found == fields.end()) return std::nullopt;
    return parse_retry_after(found->value());
}

}  // namespace

template <typename Body>
void UpstreamClient::write_request(http::request<Body>& request) {
    run(
        [&](auto handler) {
            with_stream(
                [&](auto& stream) { http::async_write(stream, request, std::move(handler)); });
        },
        "send to");
}

// The whole answer, its body bounded by `max_body`; a connection the upstream will close is
// dropped here so the next request reconnects.
UpstreamReply UpstreamClient::read_reply(std::size_t max_body) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body);
    run(
        [&](auto handler) {
            with_stream([&](auto& stream) {
                http::async_read(stream, buffer_, parser, std::move(handler));
            });
        },
        "read from");
    UpstreamReply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    reply.body = std::move(parser.get().body());
    reply.retry_after = retry_after_of(parser.get());
    if (!parser.get().keep_alive()) disconnect();
    return reply;
}

UpstreamReply UpstreamClient::get(const std::string& target, std::size_t max_body) {
    connect();
    auto request = make_request(url_, target, authorization());
    write_request(request);
    return read_reply(max_body);
}

UpstreamReply UpstreamClient::get_lines(const std::string& target,
                                        const std::function<void(std::string_view)>& on_line,
                                        std::size_t max_line) {
    connect();
    auto request = make_request(url_, target, authorization());
    write_request(request);

    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);  // streamed: bounded per line, not as a whole
    run(
        [&](auto handler) {
            with_stream([&](auto& stream) {
                http::async_read_header(stream, buffer_, parser, std::move(handler));
            });
        },
        "read from");
    UpstreamReply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    reply.retry_after = retry_after_of(parser.get());

    // Beast reads only as much as the buffer's spare capacity (at least 512 bytes), and after
    // the header that is about a kilobyte: a 40 MB snapshot took 25,000 recvmsg calls, each
    // re-arming the timeout. With room for 256 KiB a read takes what the socket holds.
    buffer_.reserve(256 * 1024);
    char piece[64 * 1024];
    std::string line;
    const bool stream_lines = reply.status == 200;
    while (!parser.is_done()) {
        parser.get().body().data = piece;
        parser.get().body().size = sizeof piece;
        beast::error_code result = boost::asio::error::would_block;
        tcp().expires_after(timeout_);
        with_stream([&](auto& stream) {
            http::async_read(stream, buffer_, parser,
                             [&result](beast::error_code ec, std::size_t) { result = ec; });
        });
        io_.restart();
        io_.run();
        if (interrupted_.load()) result = boost::asio::error::operation_aborted;
        if (result && result != http::error::need_buffer) {
            disconnect();
            throw UpstreamError("read from " + url_.host + ":" + url_.port + ": " +
                                describe(result));
        }
        const std::size_t got = sizeof piece - parser.get().body().size;
        const std::string_view data(piece, got);
        if (!stream_lines) {
            if (reply.body.size() + data.size() > 64 * 1024) {
                disconnect();
                throw UpstreamError("error answer from upstream is too large");
            }
            reply.body.append(data);
            continue;
        }
        for (const char c : data) {
            if (c == '\n') {
                on_line(line);
                line.clear();
            } else if (line.size() >= max_line) {
                disconnect();
                throw UpstreamError("upstream sent a line longer than " + std::to_string(max_line) +
                                    " bytes");
            } else {
                line += c;
            }
        }
    }
    if (stream_lines && !line.empty()) on_line(line);
    if (!parser.get().keep_alive()) disconnect();
    return reply;
}

UpstreamReply UpstreamClient::send(http::verb method, const std::string& target,
                                   const std::string& body, const Headers& headers,
                                   std::size_t max_body) {
    connect();
    http::request<http::string_body> request{method, url_.base + target, 11};
    request.set(http::field::host, url_.host);
    request.set(http::field::authorization, authorization());
    request.set(http::field::accept, "application/json");
    request.set(http::field::user_agent, "piotd");
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!body.empty()) request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.keep_alive(true);
    request.prepare_payload();
    write_request(request);
    return read_reply(max_body);
}

}  // namespace piotd::daemon
