// HTTPS for a listener (the ТС ПИоТ API, as ESM serves it, tspiot-kkt.md §A.4.1; the main API for
// tills that replicate over TLS, [server] tls_listen): a TLS terminator in
// front of the plain listener. It accepts TLS connections, completes the handshake, and relays
// the bytes to the plain HTTP server on a loopback port and back, so the HTTP server itself needs
// no TLS code. One thread of its own; a connection that does not finish its handshake within
// 10 s is dropped.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
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

private:
    void accept();

    boost::asio::io_context io_{1};
    boost::asio::ssl::context tls_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::ip::tcp::endpoint backend_;
    unsigned short port_ = 0;
    std::thread thread_;
    std::atomic<std::size_t> connections_{0};
};

}  // namespace piotd::daemon
