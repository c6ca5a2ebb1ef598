// The Host check (host_names.hpp; issue 22 item 1) and Expect: 100-continue (item 6), on a real
// HttpServer: what the head alone decides is answered before the body is read.
#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <stdexcept>
#include <string>

#include "daemon/http/host_names.hpp"
#include "daemon/http/router.hpp"
#include "daemon/http/server.hpp"
#include "tests/support/loopback_connection.hpp"

using namespace piotd::daemon;
using piotd::test::LoopbackConnection;
using piotd::test::RawAnswer;
namespace asio = boost::asio;

namespace {

constexpr int kTimeoutMs = 10'000;
const std::string kAuth = "Authorization: Basic YWRtaW46YWRtaW4=\r\n";

// A server with GET /ok and POST /echo (the body back).
struct EchoServer {
    Router router{BasicAuth("admin", "admin")};
    std::unique_ptr<HttpServer> server;

    explicit EchoServer(const char* address = "127.0.0.1", ServerLimits limits = {}) {
        router.add(http::verb::get, "/ok", [](const RequestContext&) {
            Response response{http::status::ok, 11};
            response.body() = "ok";
            return Reply(std::move(response));
        });
        router.add(http::verb::post, "/echo", [](const RequestContext& context) {
            Response response{http::status::ok, 11};
            response.body() = std::string(context.request.body());
            return Reply(std::move(response));
        });
        limits.threads = 1;
        server = std::make_unique<HttpServer>(
            asio::ip::tcp::endpoint(asio::ip::make_address(address), 0), limits, router);
        server->start();
    }
    ~EchoServer() { server->stop(); }
    unsigned short port() const { return server->local_endpoint().port(); }
};

RawAnswer exchange(unsigned short port, const std::string& bytes) {
    LoopbackConnection connection(port);
    REQUIRE(connection.send(bytes));
    return connection.read_answer(kTimeoutMs);
}

std::string get(const std::string& host_line, const char* version = "1.1") {
    return std::string("GET /ok HTTP/") + version + "\r\n" + host_line + kAuth + "\r\n";
}

}  // namespace

TEST_SUITE("daemon.http") {
    TEST_CASE("the names a listener answers to: loopback ones with any port, added ones") {
        HostNames names;
        for (const char* host : {"127.0.0.1", "127.0.0.1:5995", "localhost", "localhost:51401",
                                 "LocalHost:5995", "[::1]", "[::1]:5995", "127.0.0.1:",
                                 // The host part is compared, not the port.
                                 "localhost:59x5", "127.0.0.1:x"}) {
            CAPTURE(host);
            CHECK(names.accepts(host));
        }
        for (const char* host :
             {"", "evil.example", "evil.example:5995", "127.0.0.10", "127.0.0.1.evil.example",
              "localhost.", "localhost 5995", "[::1", "::1", "127.0.0.1@x", "127.0.0.1 ",
              "10.0.0.5", "localhostx", "[::1]x"}) {
            CAPTURE(host);
            CHECK(!names.accepts(host));
        }

        names.add("Store.Example");
        names.add("10.0.0.5");
        names.add("[FE80::1]");
        names.add("::ffff:10.0.0.6");
        names.add("127.0.0.1");  // already in: not twice
        CHECK(names.accepts("store.example:5996"));
        CHECK(names.accepts("STORE.example"));
        CHECK(names.accepts("10.0.0.5:5995"));
        CHECK(names.accepts("[fe80::1]:5996"));
        CHECK(names.accepts("10.0.0.6"));
        CHECK(!names.accepts("store.example.evil"));
        CHECK(names.names().size() == 7);
        CHECK_THROWS_AS(names.add(""), std::invalid_argument);
        CHECK_THROWS_AS(names.add("evil.example:80"), std::invalid_argument);
        CHECK_THROWS_AS(names.add("a b"), std::invalid_argument);

        CHECK(host_literal(asio::ip::make_address("::ffff:10.0.0.7")) == "10.0.0.7");
        CHECK(host_literal(asio::ip::make_address("fd00::7")) == "[fd00::7]");
        CHECK(host_part_is("10.0.0.7:5995", "10.0.0.7"));
        CHECK(!host_part_is("10.0.0.70", "10.0.0.7"));
    }

    TEST_CASE("a listener's own address: specific, or every interface for 0.0.0.0") {
        HostNames names;
        names.add_listen_address({asio::ip::make_address("10.1.2.3"), 5996});
        CHECK(names.accepts("10.1.2.3:5996"));
        HostNames loopback;
        loopback.add_listen_address({asio::ip::make_address("127.0.0.1"), 5996});
        CHECK(loopback.names().size() == 3);
        HostNames any;
        any.add_listen_address({asio::ip::make_address("0.0.0.0"), 5996});
        for (const auto& name : any.names()) CHECK(name != "0.0.0.0");
    }

    TEST_CASE("a Host that does not name the listener gets 421 before routing; served otherwise") {
        EchoServer server;
        for (const char* host : {"Host: 127.0.0.1\r\n", "Host: localhost:5995\r\n",
                                 "Host: [::1]:5995\r\n", "host: LOCALHOST\r\n"}) {
            CAPTURE(host);
            CHECK(exchange(server.port(), get(host)).status == 200);
        }
        CHECK(exchange(server.port(), get("", "1.0")).status == 200);

        const RawAnswer evil = exchange(server.port(), get("Host: evil.example\r\n"));
        CHECK(evil.status == 421);
        CHECK(evil.head.find("Connection: close") != std::string::npos);
        CHECK(evil.body.find("\"errorCode\":4210") != std::string::npos);
        CHECK(evil.body.find("Host evil.example does not designate this server") !=
              std::string::npos);
        // Not even routed: an unknown path, no credentials, still 421.
        CHECK(
            exchange(server.port(), "GET /nowhere HTTP/1.1\r\nHost: evil.example\r\n\r\n").status ==
            421);
        CHECK(exchange(server.port(), get("")).status == 421);  // HTTP/1.1 must name its host
        CHECK(exchange(server.port(), get("Host: evil.example\r\n", "1.0")).status == 421);
        CHECK(exchange(server.port(), get("Host: 127.0.0.1\r\nHost: evil.example\r\n")).status ==
              400);
        // Beast's path (a field the plain scan leaves to it) checks the same.
        CHECK(exchange(server.port(), get("Host: evil.example\r\nConnection: TE\r\n")).status ==
              421);
        CHECK(exchange(server.port(), get("Host: localhost\r\nConnection: TE\r\n")).status == 200);

        // The connection closes after the 421: the next request on it is not served.
        LoopbackConnection connection(server.port());
        REQUIRE(connection.send(get("Host: evil.example\r\n")));
        CHECK(connection.read_answer(kTimeoutMs).status == 421);
        connection.send(get("Host: 127.0.0.1\r\n"));
        CHECK(connection.read_answer(kTimeoutMs).status == 0);
    }

    TEST_CASE("a listener answers the literal of the address a connection reached") {
        EchoServer server("127.0.0.2");
        asio::io_context io;
        asio::ip::tcp::socket socket(io);
        socket.connect({asio::ip::make_address("127.0.0.2"), server.port()});
        asio::write(socket, asio::buffer(get("Host: 127.0.0.2:" + std::to_string(server.port()) +
                                             "\r\nConnection: close\r\n")));
        std::string answer;
        boost::system::error_code ec;
        asio::read(socket, asio::dynamic_buffer(answer), ec);
        CHECK(answer.starts_with("HTTP/1.1 200"));
    }

    TEST_CASE("Expect: 100-continue gets its interim answer before the body; others get 417") {
        EchoServer server;
        const std::string body(2048, 'x');
        const std::string head = "POST /echo HTTP/1.1\r\nHost: 127.0.0.1:5995\r\n" + kAuth +
                                 "Content-Type: application/json\r\nContent-Length: 2048\r\n";

        SUBCASE("head first: 100 Continue, then the body, then the answer, keep-alive") {
            LoopbackConnection connection(server.port());
            REQUIRE(connection.send(head + "Expect: 100-continue\r\n\r\n"));
            const RawAnswer interim = connection.read_answer(kTimeoutMs);
            CHECK(interim.status == 100);
            CHECK(interim.head == "HTTP/1.1 100 Continue\r\n\r\n");
            REQUIRE(connection.send(body));
            const RawAnswer final_answer = connection.read_answer(kTimeoutMs);
            CHECK(final_answer.status == 200);
            CHECK(final_answer.body == body);
            REQUIRE(connection.send(get("Host: 127.0.0.1\r\n")));
            CHECK(connection.read_answer(kTimeoutMs).status == 200);
        }
        SUBCASE("the body sent without waiting: only the final answer") {
            LoopbackConnection connection(server.port());
            REQUIRE(connection.send(head + "expect: 100-Continue\r\n\r\n" + body));
            const RawAnswer answer = connection.read_answer(kTimeoutMs);
            CHECK(answer.status == 200);
            CHECK(answer.body == body);
        }
        SUBCASE("another expectation: 417 at once, without the body") {
            const RawAnswer answer =
                exchange(server.port(), head + "Expect: something-else\r\n\r\n");
            CHECK(answer.status == 417);
            CHECK(answer.body.find("\"errorCode\":4170") != std::string::npos);
        }
        SUBCASE("a misdirected request with the expectation: 421 at once, no 100") {
            const RawAnswer answer =
                exchange(server.port(), "POST /echo HTTP/1.1\r\nHost: evil.example\r\n" + kAuth +
                                            "Content-Length: 2048\r\nExpect: 100-continue\r\n\r\n");
            CHECK(answer.status == 421);
        }
        SUBCASE("a body over the limit with the expectation: 413 at once, no 100") {
            const RawAnswer answer = exchange(
                server.port(), "POST /echo HTTP/1.1\r\nHost: localhost\r\n" + kAuth +
                                   "Content-Length: 99999999\r\nExpect: 100-continue\r\n\r\n");
            CHECK(answer.status == 413);
        }
        SUBCASE("HTTP/1.0: the expectation is ignored (RFC 9110, 10.1.1)") {
            LoopbackConnection connection(server.port());
            REQUIRE(connection.send("POST /echo HTTP/1.0\r\nHost: 127.0.0.1\r\n" + kAuth +
                                    "Content-Length: 2048\r\nExpect: 100-continue\r\n\r\n"));
            REQUIRE(connection.send(body));
            const RawAnswer answer = connection.read_answer(kTimeoutMs);
            CHECK(answer.status == 200);
            CHECK(answer.body == body);
        }
    }
}
