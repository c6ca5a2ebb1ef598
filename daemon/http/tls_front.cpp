#include "daemon/http/tls_front.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "daemon/listen_address.hpp"
#include "daemon/log.hpp"

namespace piotd::daemon {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::size_t kMaxConnections = 256;
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);

// One client: TLS on the outside, plain TCP to the backend, bytes relayed both ways until
// either side closes.
class Relay : public std::enable_shared_from_this<Relay> {
public:
    Relay(tcp::socket socket, asio::ssl::context& tls, const tcp::endpoint& backend,
          std::atomic<std::size_t>& connections)
        : outside_(std::move(socket), tls),
          inside_(outside_.get_executor()),
          timer_(outside_.get_executor()),
          backend_(backend),
          connections_(connections) {}
    ~Relay() { connections_.fetch_sub(1); }

    void start() {
        timer_.expires_after(kHandshakeTimeout);
        timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec) self->close();
        });
        outside_.async_handshake(asio::ssl::stream_base::server,
                                 [self = shared_from_this()](boost::system::error_code ec) {
                                     if (ec) return self->close();
                                     self->connect();
                                 });
    }

private:
    void connect() {
        inside_.async_connect(backend_, [self = shared_from_this()](boost::system::error_code ec) {
            if (ec) return self->close();
            self->timer_.cancel();
            boost::system::error_code ignored;
            self->inside_.set_option(tcp::no_delay(true), ignored);
            self->outside_.next_layer().set_option(tcp::no_delay(true), ignored);
            self->pump_out_to_in();
            self->pump_in_to_out();
        });
    }

    void pump_out_to_in() {
        outside_.async_read_some(
            asio::buffer(from_outside_),
            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                if (ec) return self->close();
                asio::async_write(self->inside_, asio::buffer(self->from_outside_, n),
                                  [self](boost::system::error_code w, std::size_t) {
                                      if (w) return self->close();
                                      self->pump_out_to_in();
                                  });
            });
    }

    void pump_in_to_out() {
        inside_.async_read_some(
            asio::buffer(from_inside_),
            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                if (ec) return self->close();
                asio::async_write(self->outside_, asio::buffer(self->from_inside_, n),
                                  [self](boost::system::error_code w, std::size_t) {
                                      if (w) return self->close();
                                      self->pump_in_to_out();
                                  });
            });
    }

    void close() {
        boost::system::error_code ignored;
        timer_.cancel();
        inside_.close(ignored);
        outside_.next_layer().close(ignored);
    }

    asio::ssl::stream<tcp::socket> outside_;
    tcp::socket inside_;
    asio::steady_timer timer_;
    tcp::endpoint backend_;
    std::atomic<std::size_t>& connections_;
    std::array<char, 16 * 1024> from_outside_{};
    std::array<char, 16 * 1024> from_inside_{};
};

}  // namespace

TlsFront::TlsFront(const tcp::endpoint& listen, const std::string& cert_file,
                   const std::string& key_file, tcp::endpoint backend)
    : tls_(asio::ssl::context::tls_server), acceptor_(io_), backend_(std::move(backend)) {
    boost::system::error_code ec;
    tls_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    tls_.use_certificate_chain_file(cert_file, ec);
    if (ec) throw std::runtime_error("piot_cert_file " + cert_file + ": " + ec.message());
    tls_.use_private_key_file(key_file, asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("piot_key_file " + key_file + ": " + ec.message());
    acceptor_.open(listen.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(listen, ec);
    if (ec) throw cannot_listen(ec, listen);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
}

TlsFront::~TlsFront() {
    stop();
}

void TlsFront::start() {
    accept();
    thread_ = std::thread([this] { io_.run(); });
}

void TlsFront::accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
            if (connections_.fetch_add(1) >= kMaxConnections) {
                connections_.fetch_sub(1);
                boost::system::error_code ignored;
                socket.close(ignored);
            } else {
                std::make_shared<Relay>(std::move(socket), tls_, backend_, connections_)->start();
            }
        }
        accept();
    });
}

void TlsFront::stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        io_.stop();
    });
    thread_.join();
}

}  // namespace piotd::daemon
