#include "daemon/trueapi/http_exchange.hpp"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>
#include <optional>
#include <stdexcept>

namespace piotd::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

class Exchange : public std::enable_shared_from_this<Exchange> {
public:
    Exchange(asio::io_context& io, asio::ssl::context& tls, const UpstreamUrl& url,
             ExchangeRequest request, ExchangeHandler done)
        : url_(url),
          resolver_(io),
          timer_(io),
          done_(std::move(done)),
          started_(std::chrono::steady_clock::now()) {
        if (url.tls) {
            secure_.emplace(io, tls);
        } else {
            plain_.emplace(io);
        }
        request_.method(request.method);
        request_.target(url.base + request.target);
        request_.version(11);
        request_.set(http::field::host, url.host);
        request_.set(http::field::user_agent, "piotd");
        request_.set(http::field::accept, "application/json");
        if (!request.api_key.empty()) request_.set("X-API-KEY", request.api_key);
        if (!request.body.empty() || request.method == http::verb::post) {
            request_.set(http::field::content_type, "application/json");
            request_.body() = std::move(request.body);
        }
        request_.keep_alive(false);
        request_.prepare_payload();
        parser_.body_limit(request.max_body);
    }

    void start(std::chrono::steady_clock::time_point deadline) {
        timer_.expires_at(deadline);
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->fail("timed out", true);
        });
        resolver_.async_resolve(url_.host, url_.port,
                                [self = shared_from_this()](beast::error_code ec,
                                                            tcp::resolver::results_type results) {
                                    self->on_resolve(ec, std::move(results));
                                });
    }

private:
    beast::tcp_stream& lowest() { return secure_ ? beast::get_lowest_layer(*secure_) : *plain_; }

    void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) return fail("resolve " + url_.host + ": " + ec.message());
        lowest().async_connect(results, [self = shared_from_this()](beast::error_code c,
                                                                    const tcp::endpoint&) {
            self->on_connect(c);
        });
    }

    void on_connect(beast::error_code ec) {
        if (ec) return fail("connect: " + ec.message());
        beast::error_code ignored;
        lowest().socket().set_option(tcp::no_delay(true), ignored);
        if (!secure_) return write();
        // SNI, and the certificate must name the host we asked for.
        if (!SSL_set_tlsext_host_name(secure_->native_handle(), url_.host.c_str())) {
            return fail("TLS: cannot set SNI");
        }
        secure_->set_verify_callback(asio::ssl::host_name_verification(url_.host));
        secure_->async_handshake(asio::ssl::stream_base::client,
                                 [self = shared_from_this()](beast::error_code h) {
                                     if (h) return self->fail("TLS handshake: " + h.message());
                                     self->write();
                                 });
    }

    void write() {
        auto on_written = [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->fail("send: " + ec.message());
            self->read();
        };
        if (secure_) {
            http::async_write(*secure_, request_, std::move(on_written));
        } else {
            http::async_write(*plain_, request_, std::move(on_written));
        }
    }

    void read() {
        auto on_read = [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->fail("read: " + ec.message());
            self->succeed();
        };
        if (secure_) {
            http::async_read(*secure_, buffer_, parser_, std::move(on_read));
        } else {
            http::async_read(*plain_, buffer_, parser_, std::move(on_read));
        }
    }

    void succeed() {
        if (finished_) return;
        ExchangeResult result;
        result.status = static_cast<int>(parser_.get().result_int());
        result.body = std::move(parser_.get().body());
        finish(std::move(result));
    }

    void fail(std::string what, bool timed_out = false) {
        if (finished_) return;
        ExchangeResult result;
        result.failure = std::move(what);
        result.timed_out = timed_out;
        finish(std::move(result));
    }

    // Completes once; closing the socket makes every operation still pending end at once.
    void finish(ExchangeResult result) {
        finished_ = true;
        timer_.cancel();
        resolver_.cancel();
        beast::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        lowest().socket().close(ignored);
        result.elapsed = std::chrono::steady_clock::now() - started_;
        ExchangeHandler done = std::move(done_);
        done(std::move(result));
    }

    UpstreamUrl url_;
    tcp::resolver resolver_;
    asio::steady_timer timer_;
    std::optional<beast::tcp_stream> plain_;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure_;
    http::request<http::string_body> request_;
    http::response_parser<http::string_body> parser_;
    beast::flat_buffer buffer_;
    ExchangeHandler done_;
    std::chrono::steady_clock::time_point started_;
    bool finished_ = false;
};

}  // namespace

void start_exchange(asio::io_context& io, asio::ssl::context& tls, const UpstreamUrl& url,
                    ExchangeRequest request, std::chrono::steady_clock::time_point deadline,
                    ExchangeHandler done) {
    std::make_shared<Exchange>(io, tls, url, std::move(request), std::move(done))->start(deadline);
}

void configure_tls_client(asio::ssl::context& tls, const std::string& ca_file) {
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
    tls.set_default_verify_paths();
    if (!ca_file.empty()) {
        beast::error_code ec;
        tls.load_verify_file(ca_file, ec);
        if (ec) throw std::runtime_error("--ca-file " + ca_file + ": " + ec.message());
    }
    tls.set_verify_mode(asio::ssl::verify_peer);
}

}  // namespace piotd::daemon
