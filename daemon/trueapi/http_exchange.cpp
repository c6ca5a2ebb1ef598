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

#include <optional>
#include <stdexcept>

namespace piotd::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

// One TCP or TLS connection to a host, with the bytes read past the last answer.
struct PooledConnection {
    PooledConnection(const asio::any_io_executor& executor, asio::ssl::context& tls,
                     bool secure_connection) {
        if (secure_connection) {
            secure.emplace(executor, tls);
        } else {
            plain.emplace(executor);
        }
    }
    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
    void close() {
        beast::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        lowest().socket().close(ignored);
    }

    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
    std::chrono::steady_clock::time_point idle_since;
};

std::shared_ptr<PooledConnection> ConnectionPool::take(const std::string& key) {
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    const auto now = std::chrono::steady_clock::now();
    while (!it->second.empty()) {
        std::shared_ptr<PooledConnection> connection = std::move(it->second.back());
        it->second.pop_back();
        if (now - connection->idle_since < max_idle_) return connection;
        connection->close();
    }
    return nullptr;
}

void ConnectionPool::give(const std::string& key, std::shared_ptr<PooledConnection> connection) {
    auto& idle = idle_[key];
    if (idle.size() >= per_host_) {
        connection->close();
        return;
    }
    connection->idle_since = std::chrono::steady_clock::now();
    idle.push_back(std::move(connection));
}

namespace {

std::string pool_key(const UpstreamUrl& url) {
    return (url.tls ? "https://" : "http://") + url.host + ":" + url.port;
}

class Exchange : public std::enable_shared_from_this<Exchange> {
public:
    Exchange(const asio::any_io_executor& executor, asio::ssl::context& tls, ConnectionPool* pool,
             const UpstreamUrl& url, ExchangeRequest request, ExchangeHandler done)
        : executor_(executor),
          tls_(tls),
          pool_(pool),
          url_(url),
          key_(pool_key(url)),
          resolver_(executor),
          timer_(executor),
          done_(std::move(done)),
          started_(std::chrono::steady_clock::now()),
          max_body_(request.max_body) {
        request_.method(request.method);
        request_.target(url.base + request.target);
        request_.version(11);
        request_.set(http::field::host, url.host);
        request_.set(http::field::user_agent, "piotd");
        request_.set(http::field::accept, "application/json");
        if (!request.api_key.empty()) request_.set("X-API-KEY", request.api_key);
        if (!request.authorization.empty()) {
            request_.set(http::field::authorization, request.authorization);
        }
        if (!request.client_id.empty()) request_.set("X-ClientId", request.client_id);
        if (!request.body.empty() || request.method == http::verb::post) {
            request_.set(http::field::content_type, "application/json");
            request_.body() = std::move(request.body);
        }
        request_.keep_alive(pool != nullptr);
        request_.prepare_payload();
    }

    void start(std::chrono::steady_clock::time_point deadline) {
        timer_.expires_at(deadline);
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->fail("timed out", true);
        });
        if (pool_ != nullptr) connection_ = pool_->take(key_);
        if (connection_) {
            reused_ = true;
            return write();
        }
        connect();
    }

private:
    void connect() {
        reused_ = false;
        connection_ = std::make_shared<PooledConnection>(executor_, tls_, url_.tls);
        resolver_.async_resolve(
            url_.host, url_.port,
            [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                self->on_resolve(ec, std::move(results));
            });
    }

    void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
        if (finished_) return;
        if (ec) return fail("resolve " + url_.host + ": " + ec.message());
        connection_->lowest().async_connect(
            results, [self = shared_from_this()](beast::error_code c, const tcp::endpoint&) {
                self->on_connect(c);
            });
    }

    void on_connect(beast::error_code ec) {
        if (finished_) return;
        if (ec) return fail("connect: " + ec.message());
        beast::error_code ignored;
        connection_->lowest().socket().set_option(tcp::no_delay(true), ignored);
        if (!connection_->secure) return write();
        auto& secure = *connection_->secure;
        // SNI, and the certificate must name the host we asked for.
        if (!SSL_set_tlsext_host_name(secure.native_handle(), url_.host.c_str())) {
            return fail("TLS: cannot set SNI");
        }
        secure.set_verify_callback(asio::ssl::host_name_verification(url_.host));
        secure.async_handshake(asio::ssl::stream_base::client,
                               [self = shared_from_this()](beast::error_code h) {
                                   if (self->finished_) return;
                                   if (h) return self->fail("TLS handshake: " + h.message());
                                   self->write();
                               });
    }

    void write() {
        auto on_written = [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (self->finished_) return;
            if (ec) return self->broken("send: " + ec.message());
            self->read();
        };
        if (connection_->secure) {
            http::async_write(*connection_->secure, request_, std::move(on_written));
        } else {
            http::async_write(*connection_->plain, request_, std::move(on_written));
        }
    }

    void read() {
        parser_.emplace();
        parser_->body_limit(max_body_);
        // Beast reads only into the buffer's spare capacity (512 bytes at first): a 600-byte
        // answer took two recvmsg calls and a reactor pass between them. Once is enough.
        connection_->buffer.reserve(16 * 1024);
        auto on_read = [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
            if (self->finished_) return;
            if (ec) return self->broken("read: " + ec.message(), bytes == 0);
            self->succeed();
        };
        if (connection_->secure) {
            http::async_read(*connection_->secure, connection_->buffer, *parser_,
                             std::move(on_read));
        } else {
            http::async_read(*connection_->plain, connection_->buffer, *parser_,
                             std::move(on_read));
        }
    }

    // A kept-alive connection the server has closed meanwhile fails at once with nothing read:
    // that is not the host failing, so the request goes again on a fresh connection (once).
    void broken(std::string what, bool nothing_read = true) {
        if (reused_ && nothing_read) {
            connection_->close();
            return connect();
        }
        fail(std::move(what));
    }

    void succeed() {
        if (finished_) return;
        ExchangeResult result;
        result.status = static_cast<int>(parser_->get().result_int());
        result.body = std::move(parser_->get().body());
        const bool keep = pool_ != nullptr && parser_->get().keep_alive();
        finish(std::move(result), keep);
    }

    void fail(std::string what, bool timed_out = false) {
        if (finished_) return;
        ExchangeResult result;
        result.failure = std::move(what);
        result.timed_out = timed_out;
        finish(std::move(result), false);
    }

    // Completes once; closing the socket makes every operation still pending end at once.
    void finish(ExchangeResult result, bool keep_connection) {
        finished_ = true;
        timer_.cancel();
        resolver_.cancel();
        if (connection_) {
            if (keep_connection) {
                pool_->give(key_, std::move(connection_));
            } else {
                connection_->close();
            }
        }
        result.elapsed = std::chrono::steady_clock::now() - started_;
        ExchangeHandler done = std::move(done_);
        done(std::move(result));
    }

    asio::any_io_executor executor_;
    asio::ssl::context& tls_;
    ConnectionPool* pool_;
    UpstreamUrl url_;
    std::string key_;
    tcp::resolver resolver_;
    asio::steady_timer timer_;
    std::shared_ptr<PooledConnection> connection_;
    bool reused_ = false;
    http::request<http::string_body> request_;
    std::optional<http::response_parser<http::string_body>> parser_;
    ExchangeHandler done_;
    std::chrono::steady_clock::time_point started_;
    std::size_t max_body_;
    bool finished_ = false;
};

}  // namespace

void start_exchange(const asio::any_io_executor& executor, asio::ssl::context& tls,
                    ConnectionPool* pool, const UpstreamUrl& url, ExchangeRequest request,
                    std::chrono::steady_clock::time_point deadline, ExchangeHandler done) {
    std::make_shared<Exchange>(executor, tls, pool, url, std::move(request), std::move(done))
        ->start(deadline);
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
