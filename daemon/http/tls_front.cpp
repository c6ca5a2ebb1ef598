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
// No byte either way for this long: closed (the plain server's own idle timeout is 60 s, so a
// keep-alive client idle between requests is not cut earlier than on the plain listener).
constexpr auto kIdleTimeout = std::chrono::seconds(60);
// A write the other side does not take for this long (a client that stopped reading): closed.
constexpr auto kWriteTimeout = std::chrono::seconds(10);
// At the limit, the connection quiet the longest makes room, if it has been quiet this long.
constexpr auto kEvictableAfter = std::chrono::seconds(1);

using Clock = std::chrono::steady_clock;

}  // namespace

// One client: TLS on the outside, plain TCP to the backend, bytes relayed both ways until
// either side closes, a deadline passes, or the front evicts it to make room.
class TlsFront::Relay : public std::enable_shared_from_this<Relay> {
public:
    Relay(tcp::socket socket, asio::ssl::context& tls, const tcp::endpoint& backend,
          std::list<Relay*>& relays)
        : outside_(std::move(socket), tls),
          inside_(outside_.get_executor()),
          timer_(outside_.get_executor()),
          backend_(backend),
          relays_(relays),
          place_(relays_.insert(relays_.end(), this)) {}
    ~Relay() { relays_.erase(place_); }

    void start() {
        tick();
        outside_.async_handshake(asio::ssl::stream_base::server,
                                 [self = shared_from_this()](boost::system::error_code ec) {
                                     if (ec) return self->close();
                                     self->connect();
                                 });
    }

    Clock::time_point last_activity() const { return last_activity_; }
    void close() {
        boost::system::error_code ignored;
        closed_ = true;
        timer_.cancel();
        inside_.close(ignored);
        outside_.next_layer().close(ignored);
    }

private:
    // Once a second: the handshake, idle and write deadlines (one timer for all three).
    void tick() {
        timer_.expires_after(std::chrono::seconds(1));
        timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
            auto self = weak.lock();
            if (ec || !self || self->closed_) return;
            const auto now = Clock::now();
            const bool stalled =
                (self->writing_out_ && now - self->out_write_started_ > kWriteTimeout) ||
                (self->writing_in_ && now - self->in_write_started_ > kWriteTimeout);
            const bool late = !self->relaying_ ? now - self->started_ > kHandshakeTimeout
                                               : now - self->last_activity_ > kIdleTimeout;
            if (stalled || late) return self->close();
            self->tick();
        });
    }

    void connect() {
        inside_.async_connect(backend_, [self = shared_from_this()](boost::system::error_code ec) {
            if (ec) return self->close();
            self->relaying_ = true;
            self->last_activity_ = Clock::now();
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
                self->last_activity_ = Clock::now();
                self->writing_in_ = true;
                self->in_write_started_ = self->last_activity_;
                asio::async_write(self->inside_, asio::buffer(self->from_outside_, n),
                                  [self](boost::system::error_code w, std::size_t) {
                                      self->writing_in_ = false;
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
                self->last_activity_ = Clock::now();
                self->writing_out_ = true;
                self->out_write_started_ = self->last_activity_;
                asio::async_write(self->outside_, asio::buffer(self->from_inside_, n),
                                  [self](boost::system::error_code w, std::size_t) {
                                      self->writing_out_ = false;
                                      if (w) return self->close();
                                      self->last_activity_ = Clock::now();
                                      self->pump_in_to_out();
                                  });
            });
    }

    asio::ssl::stream<tcp::socket> outside_;
    tcp::socket inside_;
    asio::steady_timer timer_;
    tcp::endpoint backend_;
    std::list<Relay*>& relays_;
    std::list<Relay*>::iterator place_;
    const Clock::time_point started_ = Clock::now();
    // The handshake's start until relaying; then the last byte read either way or written out.
    Clock::time_point last_activity_ = started_;
    bool relaying_ = false;
    bool closed_ = false;
    bool writing_out_ = false;
    bool writing_in_ = false;
    Clock::time_point out_write_started_;
    Clock::time_point in_write_started_;
    std::array<char, 16 * 1024> from_outside_{};
    std::array<char, 16 * 1024> from_inside_{};
};

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
            if (relays_.size() >= kMaxConnections && !make_room()) {
                ++refused_;
                boost::system::error_code ignored;
                socket.close(ignored);
            } else {
                std::make_shared<Relay>(std::move(socket), tls_, backend_, relays_)->start();
            }
        }
        accept();
    });
}

// The connection quiet the longest (a handshake that never ends, a keep-alive client between
// requests) is closed for the newcomer, so idle TLS clients cannot lock the POS out; when every
// connection moved bytes within the last second, the newcomer is refused.
bool TlsFront::make_room() {
    Relay* quietest = nullptr;
    for (Relay* relay : relays_) {
        if (quietest == nullptr || relay->last_activity() < quietest->last_activity()) {
            quietest = relay;
        }
    }
    if (quietest == nullptr || Clock::now() - quietest->last_activity() < kEvictableAfter) {
        return false;
    }
    quietest->close();  // leaves relays_ when its pending operations have ended
    ++evicted_;
    return true;
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
