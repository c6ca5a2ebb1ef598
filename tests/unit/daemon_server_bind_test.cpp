// Binding the HTTP server: a port already in use is reported, even by another server of the same
// user, whose SO_REUSEPORT group the new sockets could otherwise join and share connections with
// (a second piotd on a till's port would silently answer half of its checks).
#include <doctest/doctest.h>

#include <boost/asio/ip/tcp.hpp>

#include <optional>
#include <string>
#include <system_error>

#include "daemon/http/router.hpp"
#include "daemon/http/server.hpp"

using namespace piotd::daemon;
namespace asio = boost::asio;

TEST_SUITE("daemon.http") {
    TEST_CASE("a second server on a port taken by a first one of this user cannot listen") {
        Router router(BasicAuth("admin", "admin"));
        ServerLimits limits;
        limits.threads = 2;
        std::optional<HttpServer> first;
        first.emplace(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), limits,
                      router);
        const auto taken = first->local_endpoint();
        CHECK(taken.port() != 0);
        std::string message;
        try {
            HttpServer second(taken, limits, router);
        } catch (const std::system_error& error) {
            message = error.what();
        }
        CHECK(message.find("cannot listen on 127.0.0.1:" + std::to_string(taken.port())) !=
              std::string::npos);
        // Freed when the first server goes: the port is not held by the refused attempt.
        first.reset();
        HttpServer again(taken, limits, router);
        CHECK(again.local_endpoint() == taken);
    }
}
