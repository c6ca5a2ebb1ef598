// Reply::later: an answer produced off the I/O thread, while that thread serves other connections.
#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <thread>

#include "daemon/http/router.hpp"
#include "daemon/http/server.hpp"

using namespace piotd::daemon;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

Response text(std::string body) {
    Response response{http::status::ok, 11};
    response.body() = std::move(body);
    return response;
}

struct Connection {
    asio::io_context io;
    tcp::socket socket{io};
    boost::beast::flat_buffer buffer;
    explicit Connection(unsigned short port) {
        socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }
    void send(const char* target) {
        Request request{http::verb::get, target, 11};
        request.set(http::field::host, "127.0.0.1");
        http::write(socket, request);
    }
    http::response<http::string_body> receive() {
        http::response<http::string_body> response;
        http::read(socket, buffer, response);
        return response;
    }
};

}  // namespace

TEST_SUITE("daemon.deferred_reply") {
    TEST_CASE("a deferred answer arrives later; the one I/O thread serves others meanwhile") {
        Router router(BasicAuth("a", "b"));
        std::thread worker;
        router.add(
            http::verb::get, "/later",
            [&worker](const RequestContext&) {
                return Reply::later([&worker](ReplyCompletion complete) {
                    CHECK(complete.executor());
                    worker = std::thread([complete] {
                        std::this_thread::sleep_for(std::chrono::milliseconds(300));
                        complete(text("late"));
                    });
                });
            },
            Access::open);
        router.add(
            http::verb::get, "/now", [](const RequestContext&) { return Reply(text("now")); },
            Access::open);
        ServerLimits limits;
        limits.threads = 1;
        HttpServer server(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), limits, router);
        server.start();
        const unsigned short port = server.local_endpoint().port();

        Connection waiting(port);
        const auto started = std::chrono::steady_clock::now();
        waiting.send("/later");
        waiting.send("/now");  // pipelined: answered after the deferred one, in order
        {
            Connection other(port);
            other.send("/now");
            CHECK(other.receive().body() == "now");
            CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(250));
        }
        const auto late = waiting.receive();
        CHECK(late.body() == "late");
        CHECK(late.keep_alive());
        CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(300));
        CHECK(waiting.receive().body() == "now");
        worker.join();
        server.stop();
    }
}
