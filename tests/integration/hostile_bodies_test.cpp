// Request bodies against the real daemon (issue 22 item 3): method, route and credentials are
// decided from the head, so a client the route refuses gets its 401/403/404/405 without sending
// its body, and the connection closes; the bodies on their way together stay within one memory
// budget, and a body that does not fit gets 503 with Retry-After instead of being held.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/configured_daemon.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/loopback_connection.hpp"

using namespace piotd::test;

namespace {

const std::string kAuth = "Authorization: Basic YWRtaW46YWRtaW4=\r\n";

// A demo piotd whose bodies in flight may take 1 MiB together.
struct Daemon : ConfiguredDaemon {
    Daemon() : ConfiguredDaemon("[server]\nbody_budget_mb = 1\n") {}
};

std::string head(const std::string& method, const std::string& target, std::size_t length,
                 const std::string& extra = {}) {
    return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra +
           "Content-Type: application/json\r\nContent-Length: " + std::to_string(length) +
           "\r\n\r\n";
}

// The answer to a head sent alone: the body is never sent.
RawAnswer answer_to_head(unsigned short port, const std::string& bytes) {
    LoopbackConnection connection(port);
    REQUIRE(connection.send(bytes));
    return connection.read_answer(10'000);
}

}  // namespace

TEST_SUITE("integration.hostile") {
    TEST_CASE("401, 403, 404 and 405 are decided from the head: the body is never needed") {
        Daemon daemon;
        SUBCASE("an 8 MiB image upload without credentials") {
            const auto result =
                answer_to_head(daemon.port, head("POST", "/api/v1/scan/image", 8u << 20));
            CHECK(result.status == 401);
            CHECK(result.head.find("Connection: close") != std::string::npos);
        }
        SUBCASE("with the expectation: 401 at once, no 100 Continue") {
            const auto result = answer_to_head(
                daemon.port, head("POST", "/api/v2/cis/sell", 4096, "Expect: 100-continue\r\n"));
            CHECK(result.status == 401);
            CHECK(result.head.find("100 Continue") == std::string::npos);
        }
        SUBCASE("no such route, and a method the route does not have") {
            CHECK(answer_to_head(daemon.port, head("POST", "/api/v1/nothing", 1u << 20, kAuth))
                      .status == 404);
            CHECK(answer_to_head(daemon.port, head("PUT", "/api/v1/status", 1u << 20, kAuth))
                      .status == 405);
        }
        SUBCASE("64 unauthenticated uploads at once are all refused; the POS is served") {
            std::vector<LoopbackConnection> uploads;
            for (int i = 0; i < 64; ++i) {
                uploads.emplace_back(daemon.port);
                REQUIRE(uploads.back().send(head("POST", "/api/v1/scan/image", 8u << 20) +
                                            std::string(64 * 1024, 'x')));
            }
            for (auto& upload : uploads) CHECK(upload.read_answer(10'000).status == 401);
            HttpClient pos(daemon.port);
            CHECK(pos.get("/api/v1/cis/check?cis=0104603586014674215012516137746").status == 200);
        }
        CHECK(daemon.process.running());
    }

    TEST_CASE("bodies on their way share one budget: over it, 503 with Retry-After") {
        Daemon daemon;
        // 700 KB declared and on its way: most of the 1 MiB budget is reserved.
        LoopbackConnection first(daemon.port);
        REQUIRE(
            first.send(head("POST", "/api/v2/cis/outCheck", 700'000, kAuth) + "{\"cis_list\":["));
        RawAnswer refused;
        REQUIRE(eventually([&] {
            LoopbackConnection second(daemon.port);
            if (!second.send(head("POST", "/api/v2/cis/outCheck", 700'000, kAuth))) return false;
            refused = second.read_answer(10'000);
            return refused.status == 503;
        }));
        CHECK(refused.head.find("Retry-After: 1") != std::string::npos);
        CHECK(refused.body.find("\"errorCode\":5036") != std::string::npos);
        // The first body completes and is answered; its share is given back.
        REQUIRE(first.send(std::string(700'000 - 13, ' ')));
        CHECK(first.read_answer(10'000).status != 0);
        CHECK(eventually([&] {
            LoopbackConnection third(daemon.port);
            const std::string body = R"({"cis_list":["0104603586014674215012516137746"]})";
            if (!third.send(head("POST", "/api/v2/cis/outCheck", body.size(), kAuth) + body)) {
                return false;
            }
            return third.read_answer(10'000).status == 200;
        }));
        CHECK(daemon.process.running());
    }
}
