// The real daemon with --scanner on a pseudo-terminal: scans become server-sent events with their
// permissive-mode check (online with the fake True API, else offline), the status endpoint follows
// the device through unplug and replug.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <utility>

#include "tests/support/daemon_process.hpp"
#include "tests/support/event_stream_client.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/pty_pair.hpp"
#include "tests/support/true_api_fixture.hpp"

using namespace piotd::test;
using namespace std::chrono_literals;

namespace {

rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document document;
    document.Parse(text.c_str(), text.size());
    REQUIRE_MESSAGE(!document.HasParseError(), "not JSON: " << text);
    return document;
}

struct ScannerDaemon {
    TempDir dir;
    PtyPair pty{dir.path() / "ttyScanner"};
    unsigned short port = free_port();
    std::unique_ptr<DaemonProcess> process;

    explicit ScannerDaemon(const std::string& extra_config = {}, std::string device = {},
                           const std::vector<std::string>& extra_args = {},
                           const std::map<std::string, std::string>& env = {}) {
        const auto config = dir.path() / "piotd.conf";
        std::ofstream(config) << "[scanner]\nreconnect_max_ms = 200\nkeepalive_s = 1\n"
                              << extra_config;
        if (device.empty()) device = pty.link().string();
        std::vector<std::string> args{"--demo",
                                      "--config",
                                      config.string(),
                                      "--data-dir",
                                      (dir.path() / "data").string(),
                                      "--listen",
                                      "127.0.0.1:" + std::to_string(port),
                                      "--scanner",
                                      device};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        process = std::make_unique<DaemonProcess>(args, port, env);
    }

    rapidjson::Document status() {
        HttpClient client(port);
        const HttpReply reply = client.get("/api/v1/scanner/status");
        REQUIRE(reply.status == 200);
        return parse_json(reply.body);
    }

    bool wait_connected(bool connected) {
        // Not connected and no error yet: the first attempt has not run.
        for (int i = 0; i < 200; ++i) {
            const auto now = status();
            if (now["connected"].GetBool() == connected && (connected || now["error"].IsObject())) {
                return true;
            }
            std::this_thread::sleep_for(50ms);
        }
        MESSAGE("scanner status: " << HttpClient(port).get("/api/v1/scanner/status").body);
        return false;
    }
};

rapidjson::Document next_scan(EventStreamClient& events) {
    for (;;) {
        const auto event = events.next();
        REQUIRE(event);
        if (event->name == "scan") return parse_json(event->data);
    }
}

const std::string kBlockedKi = "0104850013000162215!!Y!BsOtaR_n";  // on the demo blocked_cis
// On no demo list.
const std::string kDairy =
    "0103041094787443215Qbag!\x1d"
    "93Zjqw";

}  // namespace

TEST_SUITE("integration.scanner") {
    TEST_CASE("with the True API reachable a scan's verdict comes from the online check") {
        TrueApiFixture api;
        ScannerDaemon daemon({}, {}, {"--true-api", api.url()}, api.env());
        REQUIRE(daemon.wait_connected(true));
        TrueApiFixture::wait_for_host(daemon.port);
        EventStreamClient events(daemon.port, "/api/v1/scanner/events");
        REQUIRE(events.head());
        const TrueApiScenario sold = api.scenario("5.5");  // the True API says: sold
        daemon.pty.write(sold.code + "\r");
        auto scan = next_scan(events);
        CHECK(std::string(scan["code"].GetString()) == sold.code);
        const auto& verdict = scan["verdict"];
        CHECK(std::string(verdict["source"].GetString()) == "online");
        CHECK(std::string(verdict["result"].GetString()) == "blocked");
        CHECK_FALSE(verdict["isSaleAllowed"].GetBool());
        CHECK(verdict["sold"].GetBool());
        REQUIRE(verdict["reasons"].Size() == 1);
        CHECK(std::string(verdict["reasons"][0]["code"].GetString()) == "sold");
        CHECK(std::string(verdict["detail"].GetString()) == "sold");

        const TrueApiScenario ok = api.scenario("5.3");  // allowed online (no price needed)
        daemon.pty.write(ok.code + "\r");
        scan = next_scan(events);
        CHECK(std::string(scan["verdict"]["source"].GetString()) == "online");
        CHECK(std::string(scan["verdict"]["result"].GetString()) == "allowed");
        CHECK(scan["verdict"]["isSaleAllowed"].GetBool());
    }

    TEST_CASE("scans arrive as events with their check; status counts them") {
        ScannerDaemon daemon;
        REQUIRE(daemon.wait_connected(true));
        EventStreamClient events(daemon.port, "/api/v1/scanner/events");
        const auto head = events.head();
        REQUIRE(head);
        CHECK(head->find(" 200 ") != std::string::npos);
        CHECK(head->find("text/event-stream") != std::string::npos);

        daemon.pty.write(kBlockedKi +
                         "\x1d"
                         "93dGVz\r");
        auto scan = next_scan(events);
        CHECK(std::string(scan["cis"].GetString()) == kBlockedKi);
        CHECK(std::string(scan["verdict"]["result"].GetString()) == "blocked");
        // No True API token: the chain answers from the local lists at once.
        CHECK(std::string(scan["verdict"]["source"].GetString()) == "offline");
        CHECK_FALSE(scan["verdict"]["isSaleAllowed"].GetBool());
        CHECK(std::string(scan["verdict"]["detail"].GetString()) == "blocked");
        CHECK(std::string(scan["verdict"]["reasons"][0]["code"].GetString()) == "blocked");

        // Split across writes, GS kept as a byte.
        daemon.pty.write(kDairy.substr(0, 9));
        std::this_thread::sleep_for(30ms);
        daemon.pty.write(kDairy.substr(9) + "\r");
        scan = next_scan(events);
        CHECK(std::string(scan["code"].GetString()) == kDairy);
        CHECK(std::string(scan["rawHex"].GetString()).find("1d3933") != std::string::npos);
        CHECK(std::string(scan["verdict"]["result"].GetString()) == "allowed");
        CHECK(scan["verdict"]["isSaleAllowed"].GetBool());
        CHECK(scan["repairs"].Size() == 0);

        // GS lost by the scanner's settings: recovered, and said so.
        daemon.pty.write("0103041094787443215Qbag!93Zjqw\r");
        scan = next_scan(events);
        CHECK(std::string(scan["code"].GetString()) == kDairy);
        REQUIRE(scan["repairs"].Size() == 1);
        CHECK(std::string(scan["repairs"][0].GetString()) == "gs_recovered");

        // Cyrillic layout: 0104601662000016215RNef*<GS>93B0Ik typed with ЙЦУКЕН active.
        daemon.pty.write(
            "0104601662000016215\xd0\x9a\xd0\xa2\xd1\x83\xd0\xb0*\x1d"
            "93\xd0\x98"
            "0"
            "\xd0\xa8\xd0\xbb\r");
        scan = next_scan(events);
        CHECK(std::string(scan["cis"].GetString()) == "0104601662000016215RNef*");
        CHECK(std::string(scan["repairs"][0].GetString()) == "layout_repaired");
        CHECK(std::string(scan["verdict"]["detail"].GetString()) == "blocked");

        // Line noise: reported, not checked.
        daemon.pty.write("\xff\xfe garbage\r");
        scan = next_scan(events);
        CHECK(scan["error"].IsObject());
        CHECK(scan["verdict"].IsNull());
        CHECK(std::string(scan["rawHex"].GetString()) == "fffe2067617262616765");

        const auto status = daemon.status();
        CHECK(status["configured"].GetBool());
        CHECK(status["counters"]["scans"].GetUint64() == 5);
        CHECK(status["counters"]["blocked"].GetUint64() == 2);
        CHECK(status["counters"]["allowed"].GetUint64() == 2);
        CHECK(status["counters"]["rejected"].GetUint64() == 1);
        CHECK(status["lastScanMs"].IsInt64());
        CHECK(status["eventClients"].GetUint64() == 1);

        // The stream stays open with keep-alive comments (keepalive_s = 1).
        CHECK_FALSE(events.next(2500));
        CHECK(events.keepalives() >= 1);
        CHECK_FALSE(events.closed());
    }

    TEST_CASE("several clients; unplug and replug are events and status") {
        ScannerDaemon daemon;
        REQUIRE(daemon.wait_connected(true));
        EventStreamClient first(daemon.port, "/api/v1/scanner/events");
        EventStreamClient second(daemon.port, "/api/v1/scanner/events");
        REQUIRE(first.head());
        REQUIRE(second.head());

        daemon.pty.unplug();
        auto event = first.next();
        REQUIRE(event);
        CHECK(event->name == "device");
        auto body = parse_json(event->data);
        CHECK_FALSE(body["connected"].GetBool());
        CHECK(std::string(body["error"]["kind"].GetString()) == "disconnected");
        REQUIRE(daemon.wait_connected(false));
        auto status = daemon.status();
        REQUIRE(status["error"].IsObject());
        CHECK(std::string(status["error"]["kind"].GetString()) == "disconnected");

        daemon.pty.replug();
        event = first.next();
        REQUIRE(event);
        CHECK(event->name == "device");
        CHECK(parse_json(event->data)["connected"].GetBool());
        REQUIRE(daemon.wait_connected(true));
        CHECK(daemon.status()["connects"].GetUint64() == 2);

        daemon.pty.write(kDairy + "\r");
        CHECK(std::string(next_scan(first)["code"].GetString()) == kDairy);
        CHECK(std::string(next_scan(second)["code"].GetString()) == kDairy);
    }

    TEST_CASE("the status page lists the scanner and follows unplug and replug") {
        ScannerDaemon daemon;
        REQUIRE(daemon.wait_connected(true));
        HttpClient client(daemon.port);
        const auto scanner_row = [&] {
            const auto page = parse_json(client.get("/api/v1/status/page").body);
            REQUIRE(page["devices"].IsArray());
            REQUIRE(page["devices"].Size() == 1);
            const auto& row = page["devices"][0];
            CHECK(std::string(row["kind"].GetString()) == "scanner");
            CHECK(std::string(row["name"].GetString()).find("ttyScanner") != std::string::npos);
            return std::pair{std::string(row["state"].GetString()),
                             std::string(row["detail"].GetString())};
        };
        daemon.pty.write(kDairy + "\r");
        bool counted = false;
        for (int i = 0; i < 100 && !counted; ++i) {
            counted = daemon.status()["counters"]["scans"].GetUint64() == 1;
            if (!counted) std::this_thread::sleep_for(50ms);
        }
        REQUIRE(counted);
        auto [state, detail] = scanner_row();
        CHECK(state == "ok");
        CHECK(detail.ends_with(", scans: 1"));
        const std::string html = client.get("/status").body;
        CHECK(html.find("<td>scanner</td>") != std::string::npos);

        daemon.pty.unplug();
        REQUIRE(daemon.wait_connected(false));
        std::tie(state, detail) = scanner_row();
        CHECK(state == "disconnected");
        CHECK(detail.starts_with("disconnected: "));

        daemon.pty.replug();
        REQUIRE(daemon.wait_connected(true));
        CHECK(scanner_row().first == "ok");
    }

    TEST_CASE("a client that stops reading is dropped; the stream goes on for others") {
        ScannerDaemon daemon("event_queue = 16\nmax_frame = 4096\n");
        REQUIRE(daemon.wait_connected(true));
        EventStreamClient stuck(daemon.port, "/api/v1/scanner/events",
                                basic_authorization("admin", "admin"), 2048);
        REQUIRE(stuck.head());
        // Frames of 3000 bytes (no marking code: each event carries 6000 hex digits) until the
        // socket buffers toward the stuck client are full and its queue overflows.
        const std::string frame(3000, 'A');
        bool dropped = false;
        for (int i = 0; i < 4000 && !dropped; ++i) {
            daemon.pty.write(frame + "\r");
            if (i % 50 == 49) dropped = daemon.status()["eventClientsDropped"].GetUint64() == 1;
        }
        REQUIRE(dropped);
        // Its connection is closed after what the kernel had buffered for it.
        while (stuck.next(3000)) {
        }
        CHECK(stuck.closed());

        EventStreamClient reader(daemon.port, "/api/v1/scanner/events");
        REQUIRE(reader.head());
        int received = 0;
        for (int i = 0; i < 20; ++i) {
            daemon.pty.write(kDairy + "\r");
            // Skip the tail of the big frames still in the daemon's pipeline.
            for (;;) {
                const auto scan = next_scan(reader);
                if (!scan.HasMember("code")) continue;
                CHECK(std::string(scan["code"].GetString()) == kDairy);
                ++received;
                break;
            }
        }
        CHECK(received == 20);
        const auto status = daemon.status();
        CHECK(status["eventClientsDropped"].GetUint64() == 1);
        CHECK(status["eventClients"].GetUint64() == 1);
    }

    TEST_CASE("a missing device is a clear status; the API keeps serving") {
        TempDir elsewhere;
        ScannerDaemon daemon({}, (elsewhere.path() / "ttyNone").string());
        REQUIRE(daemon.wait_connected(false));
        const auto status = daemon.status();
        REQUIRE(status["error"].IsObject());
        CHECK(status["configured"].GetBool());
        CHECK_FALSE(status["connected"].GetBool());
        CHECK(std::string(status["error"]["kind"].GetString()) == "not_found");
        HttpClient client(daemon.port);
        const auto page = parse_json(client.get("/api/v1/status/page").body);
        REQUIRE(page["devices"].Size() == 1);
        CHECK(std::string(page["devices"][0]["state"].GetString()) == "error");
        CHECK(std::string(page["devices"][0]["detail"].GetString()).starts_with("not_found: "));
        CHECK(client.get("/api/v1/status").status == 200);
        CHECK(client.request("GET", "/api/v1/scanner/status", {}, "").status == 401);
    }

    TEST_CASE("a bad scanner setting stops the start with a message") {
        TempDir dir;
        const auto config = dir.path() / "piotd.conf";
        std::ofstream(config) << "[scanner]\nsuffix = tab\n";
        const RunResult result = run_piotd(
            {"--demo", "--config", config.string(), "--data-dir", (dir.path() / "data").string()});
        CHECK(result.exit_code != 0);
        CHECK(result.output.find("scanner.suffix") != std::string::npos);
    }
}
