// HTTPS for a listener (the ТС ПИоТ API, as ESM serves it, tspiot-kkt.md §A.4.1; the main API for
// tills that replicate over TLS, [server] tls_listen): a TLS terminator in
// front of the plain listener. It accepts TLS connections, completes the handshake, and relays
// the bytes to the plain HTTP server on a loopback port and back, so the HTTP server itself needs
// no TLS code. One thread of its own. Budgets (issue 22 item 5): a handshake must end within
// 10 s, a connection that moves no byte for 60 s is closed, and so is one whose peer does not
// take a write for 10 s (a client that stopped reading); at 256 connections a newcomer takes
// the place of the one quiet the longest (at least 1 s), so idle TLS clients cannot lock the
// POS out.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <cstdint>
#include <list>
#include <string>
#include <thread>

namespace piotd::daemon {

class TlsFront {
public:
    // Binds `listen` at once; throws std::system_error (port taken) or std::runtime_error (the
    // certificate or key cannot be loaded).
    TlsFront(const boost::asio::ip::tcp::endpoint& listen, const std::string& cert_file,
             const std::string& key_file, boost::asio::ip::tcp::endpoint backend);
    ~TlsFront();
    TlsFront(const TlsFront&) = delete;
    TlsFront& operator=(const TlsFront&) = delete;

    void start();
    void stop();
    unsigned short port() const { return port_; }

    // Connections refused at the limit, and closed to make room.
    std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }
    std::uint64_t evicted() const { return evicted_.load(std::memory_order_relaxed); }

private:
    class Relay;
    void accept();
    bool make_room();

    // Open connections, used on the front's thread only. Declared before io_, so it outlives
    // the relays that io_'s destruction destroys.
    std::list<Relay*> relays_;
    boost::asio::io_context io_{1};
    boost::asio::ssl::context tls_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::ip::tcp::endpoint backend_;
    unsigned short port_ = 0;
    std::thread thread_;
    std::atomic<std::uint64_t> refused_{0};
    std::atomic<std::uint64_t> evicted_{0};
};

}  // namespace piotd::daemon
