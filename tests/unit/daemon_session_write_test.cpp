// How a session writes its answer: directly when the socket takes it all (the usual), the rest
// through the io_context when it does not. An 8 MB answer is over the kernel's largest send
// buffer (net.core.wmem_max, 4 MB by default), so its first write is partial on any host.
#include <doctest/doctest.h>

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "daemon/http/router.hpp"
#include "daemon/http/server.hpp"
#include "tests/support/loopback_connection.hpp"

using namespace piotd::daemon;
using piotd::test::LoopbackConnection;
namespace asio = boost::asio;

namespace {

// A body whose every byte says where it is, so a lost or repeated piece shows.
std::string patterned(std::size_t size) {
    std::string body(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        body[i] = static_cast<char>('a' + (i * 7 + i / 4099) % 26);
    }
    return body;
}

constexpr int kTimeoutMs = 10'000;

}  // namespace

TEST_SUITE("daemon.http") {
    TEST_CASE("an answer larger than the socket takes is written whole, then the next is read") {
        const std::string big = patterned(8u << 20);
        Router router(BasicAuth("admin", "admin"));
        router.add(http::verb::get, "/big", [&big](const RequestContext&) {
            Response response{http::status::ok, 11};
            response.body() = big;
            return Reply(std::move(response));
        });
        router.add(http::verb::get, "/small", [](const RequestContext&) {
            Response response{http::status::ok, 11};
            response.body() = "small";
            return Reply(std::move(response));
        });
        ServerLimits limits;
        limits.threads = 1;
        HttpServer server({asio::ip::make_address("127.0.0.1"), 0}, limits, router);
        server.start();
        const auto port = server.local_endpoint().port();
        const std::string auth = "Authorization: Basic YWRtaW46YWRtaW4=\r\n";
        const auto get = [&](const std::string& target) {
            return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n";
        };

        // A 4 KB receive window: the server's first write of the big answer stops short.
        LoopbackConnection connection(port, 4096);
        SUBCASE("the reader pauses before reading; the next request comes after the answer") {
            REQUIRE(connection.send(get("/big")));
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            const auto first = connection.read_answer(kTimeoutMs);
            CHECK(first.head.starts_with("HTTP/1.1 200"));
            CHECK(first.body.size() == big.size());
            CHECK(first.body == big);
            REQUIRE(connection.send(get("/small")));
            CHECK(connection.read_answer(kTimeoutMs).body == "small");
        }
        SUBCASE("pipelined: small, big, small in one segment, answered in order") {
            REQUIRE(connection.send(get("/small") + get("/big") + get("/small")));
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            CHECK(connection.read_answer(kTimeoutMs).body == "small");
            CHECK(connection.read_answer(kTimeoutMs).body == big);
            CHECK(connection.read_answer(kTimeoutMs).body == "small");
        }
        connection.close();
        server.stop();
    }
}
