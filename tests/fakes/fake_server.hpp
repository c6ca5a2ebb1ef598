// What the Beast-based fakes share: their --listen and number flags, and the server loop — accept
// on HOST:PORT, say "<name> listening on PORT" on stderr (the tests wait for it), run the
// io_context on several threads, stop at SIGINT/SIGTERM without waiting for hung connections.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>

#include <charconv>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace piotd::fakes {

// The whole of `text` as a number.
template <class Number>
bool parse_number(std::string_view text, Number& out) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return !text.empty() && ec == std::errc{} && ptr == text.data() + text.size();
}

// HOST:PORT, [V6]:PORT or :PORT (127.0.0.1).
inline bool parse_listen(std::string_view text, std::string& host, unsigned short& port) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return false;
    std::string_view name = text.substr(0, colon);
    if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
        name = name.substr(1, name.size() - 2);
    }
    host = name.empty() ? "127.0.0.1" : std::string(name);
    return parse_number(text.substr(colon + 1), port);
}

// Each connection is a `Session(socket, server)` started on a strand of its own.
template <class Session, class Server>
void accept_sessions(boost::asio::ip::tcp::acceptor& acceptor, boost::asio::io_context& context,
                     Server& server) {
    acceptor.async_accept(boost::asio::make_strand(context),
                          [&acceptor, &context, &server](boost::beast::error_code ec,
                                                         boost::asio::ip::tcp::socket socket) {
                              if (ec == boost::asio::error::operation_aborted) return;
                              if (!ec)
                                  std::make_shared<Session>(std::move(socket), server)->start();
                              accept_sessions<Session>(acceptor, context, server);
                          });
}

// Serves until SIGINT/SIGTERM on `threads` threads of `context`. A handler that throws loses its
// connection, not the server.
template <class Session, class Server>
void serve_sessions(const char* name, const std::string& host, unsigned short port, int threads,
                    boost::asio::io_context& context, Server& server) {
    namespace asio = boost::asio;
    // The acceptor and the signal handler that closes it share a strand.
    const auto control_strand = asio::make_strand(context);
    asio::ip::tcp::acceptor acceptor(control_strand);
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(host), port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    accept_sessions<Session>(acceptor, context, server);

    asio::signal_set signals(control_strand, SIGINT, SIGTERM);
    signals.async_wait([&](boost::beast::error_code ec, int) {
        if (ec) return;
        boost::beast::error_code ignored;
        acceptor.close(ignored);
        context.stop();  // hung connections are not waited for
    });

    std::fprintf(stderr, "%s listening on %u\n", name,
                 static_cast<unsigned>(acceptor.local_endpoint().port()));
    std::fflush(stderr);

    auto serve = [&context, name] {
        for (;;) {
            try {
                context.run();
                return;
            } catch (const std::exception& error) {
                std::fprintf(stderr, "%s: %s\n", name, error.what());
            }
        }
    };
    std::vector<std::thread> workers;
    for (int i = 1; i < threads; ++i) workers.emplace_back(serve);
    serve();
    for (auto& worker : workers) worker.join();
    std::fprintf(stderr, "%s stopped\n", name);
}

}  // namespace piotd::fakes
