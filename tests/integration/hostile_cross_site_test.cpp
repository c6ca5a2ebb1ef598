// Cross-site requests against the real daemon (issue 22 item 2): exactly what a browser on the
// till sends for a page of another site that knows the Basic credentials it holds (a form post,
// a fetch with a text body, a fetch in no-cors mode) has no effect; the POS, which sends no
// Origin, and piotd's own pages are served.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"

using namespace piotd::test;

namespace {

const std::string kAuth = "Authorization: Basic YWRtaW46YWRtaW4=\r\n";
const std::string kCode = "0104603586014674215012516137753";

std::string sell(const std::string& headers) {
    const std::string body = R"({"cis_list":[")" + kCode + R"("]})";
    return "POST /api/v2/cis/sell HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth + headers +
           "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
           body;
}

int status_of(const std::string& answer) {
    return answer.size() > 12 && answer.starts_with("HTTP/1.1 ") ? std::stoi(answer.substr(9, 3))
                                                                 : 0;
}

}  // namespace

TEST_SUITE("integration.hostile") {
    TEST_CASE("a page of another site cannot sell, init or check through the till's browser") {
        TempDir dir;
        const auto port = free_port();
        DaemonProcess daemon({"--demo", "--data-dir", (dir.path() / "data").string(), "--listen",
                              "127.0.0.1:" + std::to_string(port), "--piot-listen", ""},
                             port);
        const auto sold = [&] {
            HttpClient client(port);
            const std::string body =
                client.get("/api/v2/cis/outCheck?cis=" + kCode).body;  // v2: "sold"
            return body.find("\"sold\":true") != std::string::npos;
        };
        // A form post and a text fetch from evil.example, as Chromium sends them.
        const std::string browser =
            "Origin: http://evil.example\r\nSec-Fetch-Site: cross-site\r\n"
            "Sec-Fetch-Mode: no-cors\r\n";
        CHECK(status_of(HttpClient::raw_exchange(
                  port, sell(browser + "Content-Type: text/plain;charset=UTF-8\r\n"))) == 403);
        CHECK(status_of(HttpClient::raw_exchange(
                  port, sell("Origin: http://evil.example\r\n"
                             "Content-Type: application/x-www-form-urlencoded\r\n"))) == 403);
        // A browser that sends no Origin but a simple body type.
        CHECK(status_of(HttpClient::raw_exchange(port, sell("Content-Type: text/plain\r\n"))) ==
              415);
        CHECK_FALSE(sold());
        // /init with a form body changes no token.
        const std::string init = R"({"token":"stolen"})";
        CHECK(status_of(HttpClient::raw_exchange(
                  port, "POST /api/v1/init HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
                            "Origin: http://evil.example\r\nContent-Length: " +
                            std::to_string(init.size()) + "\r\nConnection: close\r\n\r\n" +
                            init)) == 403);
        // No CORS headers on any answer.
        const std::string answer = HttpClient::raw_exchange(port, sell(browser));
        CHECK(answer.find("Access-Control-Allow") == std::string::npos);

        // The POS (no Origin, JSON) and a page of piotd's own origin are served.
        CHECK(status_of(HttpClient::raw_exchange(
                  port, sell("Origin: http://127.0.0.1:" + std::to_string(port) +
                             "\r\nSec-Fetch-Site: same-origin\r\n"
                             "Content-Type: application/json\r\n"))) == 201);
        CHECK(sold());
    }
}
