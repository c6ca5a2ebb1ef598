// What a browser on the till and libcurl-based POS software send, against the real daemon (issue
// 22 items 1 and 6): a Host that does not name the listener (DNS rebinding: a page that rebinds
// evil.example to 127.0.0.1) gets 421 on every listener before routing; the names that do are
// served; Expect: 100-continue gets its interim answer before the body is sent, any other
// expectation 417.
#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "tests/support/daemon_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/shell_command.hpp"
#include "tests/support/test_pki.hpp"

using namespace piotd::test;
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

const std::string kAuth = "Authorization: Basic YWRtaW46YWRtaW4=\r\n";
const std::string kAllowed = "0104603586014674215012516137746";

// A piotd in demo mode with its ТС ПИоТ API on a port of its own.
struct Daemon {
    TempDir dir;
    unsigned short port = free_port();
    unsigned short piot_port = free_port();
    DaemonProcess process;
    Daemon(std::vector<std::string> extra = {})
        : process(
              [&] {
                  std::vector<std::string> args = {"--demo",
                                                   "--data-dir",
                                                   (dir.path() / "data").string(),
                                                   "--listen",
                                                   "127.0.0.1:" + std::to_string(port),
                                                   "--piot-listen",
                                                   "127.0.0.1:" + std::to_string(piot_port)};
                  args.insert(args.end(), extra.begin(), extra.end());
                  return args;
              }(),
              port) {
        // The ТС ПИоТ listener starts just after the main one.
        REQUIRE(eventually([this] {
            return HttpClient::raw_exchange(piot_port,
                                            "GET /api/v2/info HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                            "Connection: close\r\n\r\n")
                .starts_with("HTTP/1.1 200");
        }));
    }
};

int status_of(const std::string& answer) {
    return answer.size() > 12 && answer.starts_with("HTTP/1.") ? std::stoi(answer.substr(9, 3)) : 0;
}

// A 2 KiB outCheck body: one allowed code, padded with more of the same.
std::string outcheck_body() {
    std::string body = R"({"cis_list":[")" + kAllowed + "\"";
    while (body.size() < 2048 - 40) body += ",\"" + kAllowed + "\"";
    return body + "]}";
}

}  // namespace

TEST_SUITE("integration.hostile") {
    TEST_CASE("a Host that does not name the listener gets 421 on the LM and ТС ПИоТ ports") {
        Daemon daemon;
        HttpClient client(daemon.port);
        const std::string check = "/api/v1/cis/check?cis=" + kAllowed;

        // What a page that rebound evil.example to 127.0.0.1 sends, credentials and all.
        HttpReply evil = client.request("GET", check, {}, "-", {{"Host", "evil.example"}});
        CHECK(evil.status == 421);
        CHECK(evil.body.find("\"errorCode\":4210") != std::string::npos);
        CHECK(evil.body.find("misdirected request: Host evil.example does not designate this "
                             "server") != std::string::npos);
        CHECK(evil.headers["connection"] == "close");
        CHECK(client.request("GET", "/api/v1/status", {}, "-", {{"Host", "evil.example:5995"}})
                  .status == 421);
        // Before routing and auth: no credentials, an unknown path, still 421.
        CHECK(client.request("GET", "/nowhere", {}, "", {{"Host", "evil.example"}}).status == 421);

        for (const std::string& host :
             {"localhost:" + std::to_string(daemon.port), std::string("127.0.0.1"),
              std::string("[::1]"), std::string("LOCALHOST"), std::string("[::1]:5995")}) {
            CAPTURE(host);
            CHECK(client.request("GET", check, {}, "-", {{"Host", host}}).status == 200);
        }

        // Raw bytes exactly as a browser's fetch sends them.
        const std::string browser =
            "GET " + check + " HTTP/1.1\r\nHost: evil.example:" + std::to_string(daemon.port) +
            "\r\nConnection: keep-alive\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
            "Accept: */*\r\nOrigin: http://evil.example:" +
            std::to_string(daemon.port) +
            "\r\nReferer: http://evil.example:" + std::to_string(daemon.port) +
            "/\r\nAccept-Encoding: gzip, deflate\r\nAccept-Language: ru-RU,ru;q=0.9\r\n" + kAuth +
            "\r\n";
        CHECK(status_of(HttpClient::raw_exchange(daemon.port, browser)) == 421);
        // HTTP/1.1 without Host is refused; HTTP/1.0 without it is served.
        CHECK(status_of(HttpClient::raw_exchange(
                  daemon.port, "GET " + check + " HTTP/1.1\r\n" + kAuth + "\r\n")) == 421);
        CHECK(status_of(HttpClient::raw_exchange(
                  daemon.port, "GET " + check + " HTTP/1.0\r\n" + kAuth + "\r\n")) == 200);

        // The ТС ПИоТ API: /info gives the KKT's INN, serial and FN number to whoever reads it.
        HttpClient piot(daemon.piot_port);
        CHECK(piot.request("GET", "/api/v2/info", {}, "", {{"Host", "evil.example"}}).status ==
              421);
        CHECK(piot.request("POST", "/api/v2/codes/check", R"({"codes":[]})", "",
                           {{"Host", "evil.example:51401"}})
                  .status == 421);
        CHECK(piot.request("GET", "/api/v2/info", {}, "",
                           {{"Host", "localhost:" + std::to_string(daemon.piot_port)}})
                  .status == 200);
        CHECK(piot.request("GET", "/api/v2/info", {}, "", {{"Host", "127.0.0.1"}}).status == 200);
        CHECK(piot.request("GET", "/api/v2/info", {}, "", {{"Host", "[::1]"}}).status == 200);
        CHECK(daemon.process.running());
    }

    TEST_CASE("Expect: 100-continue is answered before the body is sent; other values get 417") {
        Daemon daemon;
        const std::string body = outcheck_body();
        REQUIRE(body.size() > 1024);
        const std::string head =
            "POST /api/v2/cis/outCheck HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(daemon.port) +
            "\r\nUser-Agent: curl/7.88.1\r\n" + "Accept: */*\r\n" + kAuth +
            "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n";

        SUBCASE("as curl does: the head, the interim answer, the body, the answer") {
            asio::io_context io;
            beast::tcp_stream stream(io);
            stream.connect({asio::ip::make_address("127.0.0.1"), daemon.port});
            // A generous bound only against a hang: no timing is asserted.
            stream.expires_after(std::chrono::seconds(30));
            asio::write(stream, asio::buffer(head + "Expect: 100-continue\r\n\r\n"));
            std::string received;
            asio::read_until(stream, asio::dynamic_buffer(received), "\r\n\r\n");
            CHECK(received == "HTTP/1.1 100 Continue\r\n\r\n");
            received.clear();
            stream.expires_after(std::chrono::seconds(30));
            asio::write(stream, asio::buffer(body));
            const std::size_t head_end =
                asio::read_until(stream, asio::dynamic_buffer(received), "\r\n\r\n");
            CHECK(status_of(received) == 200);
            const auto at = received.find("Content-Length: ");
            REQUIRE(at != std::string::npos);
            const std::size_t length = std::stoul(received.substr(at + 16));
            if (received.size() < head_end + length) {
                asio::read(stream, asio::dynamic_buffer(received),
                           asio::transfer_exactly(head_end + length - received.size()));
            }
            CHECK(received.find(kAllowed) != std::string::npos);
            // The connection stays open for the next request.
            stream.expires_after(std::chrono::seconds(30));
            received.clear();
            asio::write(stream, asio::buffer("GET /api/v1/status HTTP/1.1\r\nHost: localhost\r\n" +
                                             kAuth + "\r\n"));
            asio::read_until(stream, asio::dynamic_buffer(received), "\r\n\r\n");
            CHECK(status_of(received) == 200);
        }
        SUBCASE("curl itself: the 2 KiB POST gets the interim answer") {
            // Asked for explicitly: curl 7.88 adds it on its own only to larger or -T uploads;
            // libcurl-based POS software sends it with its JSON bodies.
            const auto file = daemon.dir.path() / "2kb.json";
            std::ofstream(file) << body;
            int status = 0;
            const std::string output = run_command(
                "curl -sv --max-time 30 -u admin:admin -H 'Content-Type: application/json' -H "
                "'Expect: 100-continue' "
                "--data @" +
                    file.string() + " http://127.0.0.1:" + std::to_string(daemon.port) +
                    "/api/v2/cis/outCheck 2>&1",
                status);
            CHECK(status == 0);
            CHECK(output.find("Expect: 100-continue") != std::string::npos);
            CHECK(output.find("< HTTP/1.1 100 Continue") != std::string::npos);
            CHECK(output.find("< HTTP/1.1 200") != std::string::npos);
        }
        SUBCASE("another expectation: 417, without the body") {
            const std::string answer =
                HttpClient::raw_exchange(daemon.port, head + "Expect: something-else\r\n\r\n");
            CHECK(status_of(answer) == 417);
            CHECK(answer.find("\"errorCode\":4170") != std::string::npos);
        }
        SUBCASE("a refused Host with the expectation: 421 at once, no 100") {
            const std::string answer = HttpClient::raw_exchange(
                daemon.port, "POST /api/v2/cis/outCheck HTTP/1.1\r\nHost: evil.example\r\n" +
                                 kAuth + "Content-Length: 2048\r\nExpect: 100-continue\r\n\r\n");
            CHECK(status_of(answer) == 421);
        }
        SUBCASE("the ТС ПИоТ port answers the expectation too") {
            const std::string codes = R"({"codes":[")" + std::string(2048, 'A') + "\"]}";
            const std::string answer = HttpClient::raw_exchange(
                daemon.piot_port,
                "POST /api/v2/codes/check HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/json\r\nContent-Length: " +
                    std::to_string(codes.size()) +
                    "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
                2000);
            CHECK(answer == "HTTP/1.1 100 Continue\r\n\r\n");
        }
        CHECK(daemon.process.running());
    }

    TEST_CASE("through the TLS front: tls_names are served, other names get 421, 100-continue") {
        TempDir pki;
        const std::string dir = pki.path().string();
        make_test_pki(dir);
        const unsigned short tls_port = free_port();
        const auto config = pki.path() / "piotd.conf";
        std::ofstream(config) << "[server]\ntls_listen = 127.0.0.1:" << tls_port
                              << "\ntls_cert_file = " << dir
                              << "/server.pem\ntls_key_file = " << dir
                              << "/server.key\ntls_names = store.example, Till-Server.local\n";
        Daemon daemon({"--config", config.string()});
        const std::string curl = "curl -s --max-time 30 --cacert " + dir +
                                 "/ca.pem -u admin:admin -o /dev/null -w '%{http_code}' ";
        const std::string url =
            " https://127.0.0.1:" + std::to_string(tls_port) + "/api/v1/cis/check?cis=" + kAllowed;
        int status = 0;
        REQUIRE(eventually([&] { return run_command(curl + url, status) == "200"; }));
        CHECK(run_command(curl + "-H 'Host: store.example:5996'" + url, status) == "200");
        CHECK(run_command(curl + "-H 'Host: till-server.local'" + url, status) == "200");
        CHECK(run_command(curl + "-H 'Host: evil.example'" + url, status) == "421");
        // A 2 KiB POST through the front: curl waits for the interim answer, and gets it.
        const auto file = pki.path() / "2kb.json";
        std::ofstream(file) << outcheck_body();
        const std::string output =
            run_command("curl -sv --max-time 30 --cacert " + dir +
                            "/ca.pem -u admin:admin -H 'Content-Type: application/json' -H "
                            "'Expect: 100-continue' --data @" +
                            file.string() + " https://127.0.0.1:" + std::to_string(tls_port) +
                            "/api/v2/cis/outCheck 2>&1",
                        status);
        CHECK(output.find("< HTTP/1.1 100 Continue") != std::string::npos);
        CHECK(output.find("< HTTP/1.1 200") != std::string::npos);
        // The plain listener knows the configured names too; others stay refused there.
        HttpClient client(daemon.port);
        CHECK(
            client.request("GET", "/api/v1/status", {}, "-", {{"Host", "store.example"}}).status ==
            200);
        CHECK(client.request("GET", "/api/v1/status", {}, "-", {{"Host", "evil.example"}}).status ==
              421);
    }
}
