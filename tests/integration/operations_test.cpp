// Operations against the real binaries: the status page, /metrics, POST /api/v1/replication/sync
// and every piotctl command.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "tests/support/daemon_process.hpp"
#include "tests/support/document_sink.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/notify_socket.hpp"
#include "tests/support/true_api_fixture.hpp"

using namespace piotd::test;

namespace {

const std::string kBlocked = "0104850013000162215!!Y!BsOtaR_n";
const std::string kAllowed = "0104603586014674215012516137746";

rapidjson::Document parse(const std::string& body) {
    rapidjson::Document document;
    document.Parse(body.c_str(), body.size());
    REQUIRE_MESSAGE(!document.HasParseError(), "not JSON: " << body);
    return document;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// POST /api/v1/piot/check for one code (GS as a byte becomes \u001d in the JSON).
std::string piot_check_body(const std::string& code) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("items");
    writer.StartArray();
    writer.StartObject();
    writer.Key("code");
    writer.String(code.c_str(), static_cast<rapidjson::SizeType>(code.size()));
    writer.EndObject();
    writer.EndArray();
    writer.EndObject();
    return buffer.GetString();
}

// A daemon started from a config file, with the password "s3cret".
struct OpsDaemon {
    TempDir dir;
    unsigned short port = free_port();
    std::unique_ptr<DaemonProcess> process;
    std::string password = "s3cret";  // --demo keeps it (it seeds lists only)

    explicit OpsDaemon(const std::string& extra_config = {}, std::vector<std::string> flags = {},
                       std::map<std::string, std::string> env = {}) {
        std::ofstream(config()) << "[server]\nlisten = 127.0.0.1:" << port
                                << "\n[storage]\ndata_dir = " << (dir.path() / "data").string()
                                << "\n[auth]\nuser = admin\npassword = s3cret\n"
                                << extra_config;
        chmod(config().c_str(), 0640);
        std::vector<std::string> args = {"--config", config()};
        args.insert(args.end(), flags.begin(), flags.end());
        process = std::make_unique<DaemonProcess>(args, port, env);
    }
    std::string config() const { return (dir.path() / "piotd.conf").string(); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
    HttpClient client() const { return HttpClient(port, "admin", password); }
    // piotctl with this daemon's config file (and so its password).
    RunResult ctl(std::vector<std::string> args, const std::string& stdin_text = {}) const {
        args.insert(args.begin(), {"--config", config()});
        return run_program(PIOTCTL_BINARY, args, {}, stdin_text);
    }
};

// A demo daemon (ready, seeded lists) that other daemons replicate from.
struct DemoUpstream {
    TempDir dir;
    unsigned short port = free_port();
    DaemonProcess process{{"--demo", "--data-dir", (dir.path() / "data").string(), "--listen",
                           "127.0.0.1:" + std::to_string(port)},
                          port};
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

}  // namespace

TEST_SUITE("operations") {
    TEST_CASE("status page: HTML behind auth at / and /status, escaped codes, JSON twin") {
        DemoUpstream demo;
        HttpClient client(demo.port);
        CHECK(client.request("GET", "/", {}, "").status == 401);
        client.get("/api/v1/cis/check?cis=" + url_encode(kBlocked));
        client.get("/api/v1/cis/check?cis=" + url_encode("<img src=x onerror=alert(1)>"));
        for (const std::string path : {"/", "/status"}) {
            HttpReply page = client.get(path);
            CHECK(page.status == 200);
            CHECK(page.headers["content-type"] == "text/html; charset=utf-8");
            const std::string csp = page.headers["content-security-policy"];
            CHECK(contains(csp, "default-src 'none'"));
            const std::size_t nonce_at = csp.find("script-src 'nonce-");
            REQUIRE(nonce_at != std::string::npos);
            const std::string nonce =
                csp.substr(nonce_at + 18, csp.find('\'', nonce_at + 18) - nonce_at - 18);
            CHECK(nonce.size() == 36);
            CHECK(contains(page.body, "<script nonce=\"" + nonce + "\">"));
            CHECK(contains(page.body, "class=\"state state-ready\">ready<"));
            CHECK(contains(page.body, "id=\"list-blocked_cis-local\" class=\"n\">8<"));
            CHECK(contains(page.body, "&lt;img src=x onerror=alert(1)&gt;"));
            CHECK(!contains(page.body, "<img"));
            CHECK(contains(page.body, kBlocked));
            CHECK(contains(page.body, "class=\"v-blocked\">blocked<"));
            CHECK(contains(page.body, "<svg class=\"spark\""));
        }
        const HttpReply json = client.get("/api/v1/status/page");
        CHECK(json.status == 200);
        const auto doc = parse(json.body);
        CHECK(std::string(doc["state"].GetString()) == "ready");
        // The four LM lists and piotd's own `learned` (docs/local-module.md).
        REQUIRE(doc["lists"].Size() == 5);
        CHECK(std::string(doc["lists"][4]["name"].GetString()) == "learned");
        REQUIRE(doc["outbox"].IsObject());  // the relay's outbox, empty on this daemon
        CHECK(doc["outbox"]["queued"].GetUint64() == 0);
        CHECK(doc["outbox"]["deadLetters"].GetUint64() == 0);
        CHECK(doc["devices"].IsNull());  // no scanner, no register
        CHECK(doc["checks"].Size() == 2);
        CHECK(std::string(doc["checks"][0]["verdict"].GetString()) == "invalid_code");
        // Unknown and traversal paths: JSON 404, never a file.
        for (const std::string path : {"/status/../../etc/passwd", "/../etc/passwd", "/status/x",
                                       "/%2e%2e/%2e%2e/etc/passwd", "/index.html"}) {
            const HttpReply reply = client.get(path);
            CHECK_MESSAGE(reply.status == 404, path);
            CHECK(parse(reply.body)["errorCode"].GetInt() == 4040);
        }
    }

    TEST_CASE("metrics: text format 0.0.4 with checks, lists and route-labelled HTTP counts") {
        DemoUpstream demo;
        HttpClient client(demo.port);
        CHECK(client.request("GET", "/metrics", {}, "").status == 401);
        client.get("/api/v1/cis/check?cis=" + url_encode(kBlocked));
        client.get("/api/v1/cis/check?cis=" + url_encode(kAllowed));
        client.post("/api/v1/cis/check",
                    "{\"cis_list\":[\"" + kAllowed + "\",\"" + kAllowed + "\"]}");
        client.get("/no/such/path/1");
        client.get("/no/such/path/2");
        HttpReply scrape = client.get("/metrics");
        CHECK(scrape.status == 200);
        CHECK(scrape.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8");
        const std::string& text = scrape.body;
        CHECK(contains(text, "piotd_checks_total{source=\"local\",verdict=\"blocked\"} 1\n"));
        CHECK(contains(text, "piotd_checks_total{source=\"local\",verdict=\"not_blocked\"} 3\n"));
        CHECK(contains(
            text,
            "piotd_check_duration_seconds_count{source=\"local\",verdict=\"not_blocked\"} 3\n"));
        CHECK(contains(text, "# TYPE piotd_check_duration_seconds histogram\n"));
        CHECK(contains(text,
                       "piotd_http_requests_total{route=\"/api/v1/cis/"
                       "check\",method=\"GET\",status=\"200\"} 2\n"));
        CHECK(contains(text,
                       "piotd_http_requests_total{route=\"/api/v1/cis/"
                       "check\",method=\"POST\",status=\"200\"} 1\n"));
        CHECK(contains(
            text,
            "piotd_http_requests_total{route=\"unmatched\",method=\"any\",status=\"404\"} 2\n"));
        CHECK(!contains(text, "/no/such"));
        CHECK(contains(text, "piotd_list_items{list=\"blocked_cis\"} 8\n"));
        CHECK(contains(text, "piotd_status{status=\"ready\"} 1\n"));
        CHECK(contains(text, "piotd_lmdb_map_bytes "));
        CHECK(contains(text, "piotd_http_refused_connections_total 0\n"));
        CHECK(contains(text, "piotd_http_open_connections 1\n"));
        // Every line is a comment or "name{labels} value".
        std::size_t start = 0;
        while (start < text.size()) {
            const std::size_t end = text.find('\n', start);
            REQUIRE(end != std::string::npos);
            const std::string line = text.substr(start, end - start);
            CHECK_MESSAGE((line.starts_with("# HELP piotd_") || line.starts_with("# TYPE piotd_") ||
                           (line.starts_with("piotd_") && line.find(' ') != std::string::npos)),
                          line);
            start = end + 1;
        }
    }

    TEST_CASE("status page and metrics: the relay's outbox after a sell, dead letters warned") {
        // A relay that refuses every document: the first sale goes dead after dead_after (2)
        // rejections; then the relay goes away and the next sale waits in the queue.
        DocumentSink sink;
        OpsDaemon daemon(
            "[relay]\nbackoff_min_ms = 20\nbackoff_max_ms = 200\ntimeout_ms = 700\n"
            "dead_after = 2\n",
            {"--demo", "--relay", sink.url()});
        auto client = daemon.client();
        sink.fault(R"({"mode":"reject"})");
        REQUIRE(client
                    .request("POST", "/api/v2/cis/sell", "{\"cis_list\":[\"" + kAllowed + "\"]}",
                             "-", {{"Idempotency-Key", "ops-sale-1"}})
                    .status == 201);
        const auto dead = [&] {
            return parse(client.get("/api/v1/status/page").body)["outbox"]["deadLetters"]
                       .GetUint64() == 1;
        };
        REQUIRE(eventually(dead));
        auto doc = parse(client.get("/api/v1/status/page").body);
        CHECK(doc["outbox"]["queued"].GetUint64() == 0);
        CHECK(doc["outbox"]["oldestAgeMs"].IsNull());
        REQUIRE(doc["outbox"]["warnings"].IsArray());
        bool warned = false;
        for (const auto& w : doc["outbox"]["warnings"].GetArray()) {
            warned |= std::string(w.GetString()) == "dead_letters";
        }
        CHECK(warned);
        std::string page = client.get("/status").body;
        CHECK(contains(page, "id=\"outbox-dead\" class=\"n\">1<"));
        CHECK(contains(page, "id=\"outbox-warnings\">dead_letters"));
        std::string metrics = client.get("/metrics").body;
        CHECK(contains(metrics, "piotd_outbox_dead_letters 1\n"));
        CHECK(contains(metrics, "piotd_outbox_queued 0\n"));

        // The sink goes away: the next sale waits in the queue, and its age grows.
        sink.process.kill_hard();
        REQUIRE(client.post("/api/v2/cis/sell", "{\"cis_list\":[\"" + kBlocked + "\"]}").status ==
                201);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        doc = parse(client.get("/api/v1/status/page").body);
        CHECK(doc["outbox"]["queued"].GetUint64() == 1);
        REQUIRE(doc["outbox"]["oldestAgeMs"].IsInt64());
        CHECK(doc["outbox"]["oldestAgeMs"].GetInt64() >= 300);
        CHECK(doc["outbox"]["deadLetters"].GetUint64() == 1);
        page = client.get("/status").body;
        CHECK(contains(page, "id=\"outbox-queued\" class=\"n\">1<"));
        metrics = client.get("/metrics").body;
        CHECK(contains(metrics, "piotd_outbox_queued 1\n"));
        CHECK(contains(metrics, "piotd_outbox_dead_letters 1\n"));
        const RunResult status = daemon.ctl({"status"});
        // "outbox: 1 queued (oldest 0.3 s), 1 dead letters (warnings: dead_letters…)"
        CHECK(contains(status.output, "outbox: 1 queued (oldest "));
        CHECK(contains(status.output, ", 1 dead letters (warnings: dead_letters"));
    }

    TEST_CASE("metrics: [metrics] open = true lets a scraper in without credentials") {
        OpsDaemon daemon("[metrics]\nopen = true\n", {"--demo"});
        HttpClient anonymous(daemon.port, "nobody", "wrong");
        CHECK(anonymous.request("GET", "/metrics", {}, "").status == 200);
        CHECK(anonymous.request("GET", "/status", {}, "").status == 401);
    }

    TEST_CASE("sync now: 202 and another round on a till; 409 without an upstream") {
        DemoUpstream demo;
        OpsDaemon till({}, {"--upstream", demo.url(), "--sync-period", "3600"},
                       {{"PIOTD_UPSTREAM_PASSWORD", "admin"}});
        auto client = till.client();
        const auto last_ok = [&]() -> std::int64_t {
            const auto doc = parse(client.get("/api/v1/status/page").body);
            // Beside replication, the True API (the default --true-api) has its own entry.
            for (const auto& upstream : doc["upstreams"].GetArray()) {
                if (std::string(upstream["name"].GetString()) == "replication") {
                    return upstream["lastOk"].GetInt64();
                }
            }
            return std::int64_t{-1};
        };
        REQUIRE(eventually([&] { return last_ok() > 0; }));
        const std::int64_t first = last_ok();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const auto reply = client.post("/api/v1/replication/sync", "");
        CHECK(reply.status == 202);
        CHECK(eventually([&] { return last_ok() > first; }, std::chrono::seconds(10)));
        const auto page = client.get("/status").body;
        CHECK(contains(page, "class=\"ok\">ok<"));
        CHECK(contains(page, "id=\"list-blocked_cis-server\" class=\"n\">8<"));
        const std::string metrics = client.get("/metrics").body;
        CHECK(contains(metrics, "piotd_list_upstream_items{list=\"blocked_cis\"} 8\n"));
        CHECK(contains(metrics, "piotd_replication_lag_seconds{list=\"blocked_cis\"} "));

        HttpClient upstream(demo.port);
        const auto refused = upstream.post("/api/v1/replication/sync", "");
        CHECK(refused.status == 409);
        CHECK(parse(refused.body)["errorCode"].GetInt() == 4093);
    }

    TEST_CASE("replication errors show on the page and count by kind") {
        const unsigned short dead = free_port();
        OpsDaemon till(
            {}, {"--upstream", "http://127.0.0.1:" + std::to_string(dead), "--sync-period", "1"});
        auto client = till.client();
        REQUIRE(eventually([&] {
            return contains(
                client.get("/metrics").body,
                "piotd_upstream_errors_total{upstream=\"replication\",kind=\"network\"}");
        }));
        CHECK(contains(client.get("/status").body, "class=\"bad\">failing ("));
    }

    TEST_CASE("systemd notify: READY=1 once listening, WATCHDOG=1 from the loops, STOPPING=1") {
        const std::string name = "@piotd-ops-notify-" + std::to_string(getpid());
        NotifySocket notify(name, 3000);
        OpsDaemon daemon({}, {"--demo"}, {{"NOTIFY_SOCKET", name}, {"WATCHDOG_USEC", "400000"}});
        // STATUS= (the state in words for systemctl status) comes with READY=1.
        const std::string first = notify.receive();
        const std::string second = notify.receive();
        CHECK(first.starts_with("STATUS=ready: Ready"));
        CHECK(second == "READY=1");
        // The port accepted connections before READY=1 was read: the listener was up first.
        CHECK(daemon.client().get("/api/v1/status").status == 200);
        int pings = 0;
        for (int i = 0; i < 4; ++i) pings += notify.receive() == "WATCHDOG=1" ? 1 : 0;
        CHECK(pings >= 3);
        CHECK(daemon.process->stop() == 0);
        std::string last;
        for (std::string message = notify.receive(); !message.empty(); message = notify.receive()) {
            last = message;
        }
        CHECK(last == "STOPPING=1");
    }

    TEST_CASE("piotctl status, check, init and exit codes") {
        OpsDaemon daemon({}, {"--demo"});
        const RunResult status = daemon.ctl({"status"});
        CHECK(status.exit_code == 0);
        CHECK(contains(status.output, ": ready"));
        CHECK(contains(status.output, "blocked_cis"));
        CHECK(contains(status.output, "outbox: 0 queued, 0 dead letters"));
        const RunResult json = daemon.ctl({"--json", "status"});
        CHECK(json.exit_code == 0);
        CHECK(std::string(parse(json.output)["state"].GetString()) == "ready");

        const RunResult one = daemon.ctl({"check", kAllowed});
        CHECK(one.exit_code == 0);
        CHECK(contains(one.output, "ok       " + kAllowed));
        const RunResult piped =
            daemon.ctl({"check", "-"}, kBlocked + "\r\n" + kAllowed + "\nnot-a-code\n");
        CHECK(piped.exit_code == 1);
        CHECK(contains(piped.output, "BLOCKED  " + kBlocked));
        CHECK(contains(piped.output, "ok       " + kAllowed));
        CHECK(contains(piped.output, "ERROR    not-a-code"));
        CHECK(contains(piped.output, "3 checked, 1 blocked, 1 refused"));
        const RunResult from_stdin = daemon.ctl({"--json", "check"}, kAllowed + "\n");
        CHECK(from_stdin.exit_code == 0);
        CHECK(parse(from_stdin.output)["answer"]["codes"][0]["isBlocked"].GetBool() == false);

        const RunResult init = daemon.ctl({"init", "-"}, "some-token\n");
        CHECK(init.exit_code == 0);
        CHECK(contains(init.output, "token accepted"));

        CHECK(daemon.ctl({"--password", "wrong", "status"}).exit_code == 4);
        CHECK(daemon.ctl({"frobnicate"}).exit_code == 2);
        CHECK(daemon.ctl({"sync"}).exit_code == 2);
        CHECK(daemon.ctl({"--url", "http://127.0.0.1:" + std::to_string(free_port()), "status"})
                  .exit_code == 3);
        const RunResult env_password = run_program(
            PIOTCTL_BINARY, {"--url", daemon.url(), "status"}, {{"PIOTD_PASSWORD", "s3cret"}});
        CHECK(env_password.exit_code == 0);
    }

    TEST_CASE("piotctl sync now without an upstream; journal tail after a permissive check") {
        OpsDaemon daemon({}, {"--demo", "--true-api", ""});
        const RunResult sync = daemon.ctl({"sync", "now"});
        CHECK(sync.exit_code == 1);
        CHECK(contains(sync.output, "no replication upstream"));

        // No True API: the chain answers offline from the demo lists, and journals it.
        auto client = daemon.client();
        REQUIRE(client.post("/api/v1/piot/check", piot_check_body(kAllowed)).status == 200);
        RunResult tail;
        REQUIRE(eventually([&] {
            tail = daemon.ctl({"journal", "tail", "--limit", "5"});
            return tail.exit_code == 0 && contains(tail.output, kAllowed);
        }));
        CHECK(contains(tail.output, "TIME"));
        CHECK(contains(tail.output, "REQID"));
        CHECK(contains(tail.output, "offline"));
        CHECK(contains(tail.output, "allowed"));

        const RunResult json = daemon.ctl({"--json", "journal", "tail", "--limit", "1"});
        CHECK(json.exit_code == 0);
        const auto document = parse(json.output);
        REQUIRE(document["entries"].Size() == 1);
        const auto& entry = document["entries"][0];
        CHECK(std::string(entry["code"].GetString()) == kAllowed);
        CHECK(std::string(entry["source"].GetString()) == "offline");
        CHECK(entry["isSaleAllowed"].GetBool());
        CHECK(std::string(entry["reqId"].GetString()).size() == 36);

        CHECK(daemon.ctl({"journal", "tail", "--limit", "0"}).exit_code == 2);
        CHECK(daemon.ctl({"journal", "head"}).exit_code == 2);
    }

    TEST_CASE("status page and metrics: journal checks, True API CDN hosts, online check counts") {
        TrueApiFixture api;
        api.health(12);
        auto env = api.env();
        OpsDaemon daemon({}, {"--demo", "--true-api", api.url()}, env);
        TrueApiFixture::wait_for_host(daemon.port, daemon.password);
        auto client = daemon.client();

        const TrueApiScenario ok = api.scenario("5.3");  // allowed online
        const HttpReply checked = client.post("/api/v1/piot/check", piot_check_body(ok.code));
        REQUIRE(checked.status == 200);
        CHECK(std::string(parse(checked.body)["items"][0]["source"].GetString()) == "online");
        client.get("/api/v1/cis/check?cis=" + url_encode(kBlocked));  // the LM API: the ring

        // The journal is written off the reply path (within ~50 ms).
        rapidjson::Document page;
        REQUIRE(eventually([&] {
            page = parse(client.get("/api/v1/status/page").body);
            for (const auto& check : page["checks"].GetArray()) {
                if (std::string(check["source"].GetString()) == "online") return true;
            }
            return false;
        }));
        bool online = false;
        bool local = false;
        for (const auto& check : page["checks"].GetArray()) {
            const std::string source = check["source"].GetString();
            if (source == "online") {
                online = true;
                CHECK(std::string(check["verdict"].GetString()) == "not_blocked");
                CHECK(contains(ok.code, check["code"].GetString()));
            }
            if (source == "local") {
                local = true;
                CHECK(std::string(check["code"].GetString()) == kBlocked);
                CHECK(std::string(check["verdict"].GetString()) == "blocked");
            }
        }
        CHECK(online);
        CHECK(local);
        // Newest first: the LM check came after the online one.
        CHECK(std::string(page["checks"][0]["source"].GetString()) == "local");

        REQUIRE(page["cdn"].IsArray());
        REQUIRE(page["cdn"].Size() == 1);
        CHECK(contains(page["cdn"][0]["host"].GetString(), "127.0.0.1"));
        CHECK(page["cdn"][0]["avgTimeMs"].GetDouble() == 12.0);
        CHECK(page["cdn"][0]["blocked"].GetBool() == false);
        bool true_api = false;
        for (const auto& upstream : page["upstreams"].GetArray()) {
            if (std::string(upstream["name"].GetString()) != "true_api") continue;
            true_api = true;
            CHECK(upstream["lastOk"].GetInt64() > 0);
            CHECK(upstream["consecutiveErrors"].GetUint64() == 0);
        }
        CHECK(true_api);

        const std::string metrics = client.get("/metrics").body;
        CHECK(
            contains(metrics, "piotd_checks_total{source=\"online\",verdict=\"not_blocked\"} 1\n"));
        CHECK(contains(metrics,
                       "piotd_checks_total{source=\"offline\",verdict=\"not_blocked\"} 0\n"));
        CHECK(contains(
            metrics,
            "piotd_check_duration_seconds_count{source=\"online\",verdict=\"not_blocked\"} 1\n"));
        // piotd's own time on that request, besides the True API round trip.
        CHECK(contains(metrics, "piotd_check_overhead_seconds_count 1\n"));

        // The host hangs: the budget sends the next check offline, counted as such.
        api.hang();
        REQUIRE(client.post("/api/v1/piot/check", piot_check_body(kAllowed)).status == 200);
        CHECK(contains(client.get("/metrics").body,
                       "piotd_checks_total{source=\"offline\",verdict=\"not_blocked\"} 1\n"));
    }

    TEST_CASE("piotctl outbox list, show and retry against the relay; a missing route is exit 5") {
        DocumentSink sink;
        OpsDaemon daemon(
            "[relay]\nbackoff_min_ms = 20\nbackoff_max_ms = 200\ntimeout_ms = 700\n"
            "dead_after = 2\n",
            {"--demo", "--relay", sink.url()});
        auto client = daemon.client();
        sink.fault(R"({"mode":"reject"})");
        REQUIRE(client
                    .request("POST", "/api/v2/cis/sell", "{\"cis_list\":[\"" + kAllowed + "\"]}",
                             "-", {{"Idempotency-Key", "ctl-sale-1"}})
                    .status == 201);
        REQUIRE(eventually([&] {
            return contains(client.get("/api/v1/outbox/ctl-sale-1").body, "\"state\":\"dead\"");
        }));

        const RunResult list = daemon.ctl({"outbox", "list"});
        CHECK(list.exit_code == 0);
        CHECK(contains(list.output, "relay: " + sink.url() + " (piotd)"));
        CHECK(contains(list.output, "dead 1"));
        CHECK(contains(list.output, "warnings: dead_letters"));
        CHECK(contains(list.output, "ID"));
        CHECK(contains(list.output, "LAST ERROR"));
        const std::size_t row = list.output.find("ctl-sale-1");
        REQUIRE(row != std::string::npos);
        const std::string line = list.output.substr(row, list.output.find('\n', row) - row);
        CHECK(contains(line, "withdrawal"));
        CHECK(contains(line, "dead"));
        CHECK(contains(line, "injected permanent"));
        const RunResult json = daemon.ctl({"--json", "outbox", "list"});
        CHECK(json.exit_code == 0);
        const auto listed = parse(json.output);
        CHECK(listed["counts"]["dead"].GetUint64() == 1);
        CHECK(std::string(listed["documents"][0]["id"].GetString()) == "ctl-sale-1");
        const RunResult queued = daemon.ctl({"outbox", "list", "--state", "queued"});
        CHECK(queued.exit_code == 0);
        CHECK(contains(queued.output, "no queued documents"));
        CHECK(daemon.ctl({"outbox", "list", "--state", "lost"}).exit_code == 2);

        const RunResult shown = daemon.ctl({"outbox", "show", "ctl-sale-1"});
        CHECK(shown.exit_code == 0);
        CHECK(contains(shown.output, kAllowed));
        CHECK(contains(shown.output, "injected permanent"));
        const RunResult shown_json = daemon.ctl({"--json", "outbox", "show", "ctl-sale-1"});
        CHECK(std::string(parse(shown_json.output)["document"]["products"][0]["cis"].GetString()) ==
              kAllowed);

        // An id the relay does not know: its own 404, not "unsupported".
        for (const std::vector<std::string>& args :
             {std::vector<std::string>{"outbox", "show", "abc-1"}, {"outbox", "retry", "abc-1"}}) {
            const RunResult missing = daemon.ctl(args);
            CHECK(missing.exit_code == 7);
            CHECK(contains(missing.output, "the outbox has no document with id 'abc-1'"));
        }
        CHECK(daemon.ctl({"outbox", "show", "../../etc"}).exit_code == 2);

        sink.fault(R"({"mode":"none"})");
        const RunResult retried = daemon.ctl({"outbox", "retry", "ctl-sale-1"});
        CHECK(retried.exit_code == 0);
        CHECK(contains(retried.output, "document ctl-sale-1 is queued again"));
        REQUIRE(eventually([&] {
            return contains(client.get("/api/v1/outbox/ctl-sale-1").body,
                            "\"state\":\"delivered\"");
        }));
        CHECK(sink.ids() == std::vector<std::string>{"ctl-sale-1"});
        const RunResult again = daemon.ctl({"outbox", "retry", "ctl-sale-1"});
        CHECK(again.exit_code == 6);
        CHECK(contains(again.output, "only a dead document can be retried"));

        // Something without the outbox endpoints (an older piotd; here the sink): exit 5.
        const RunResult old =
            run_program(PIOTCTL_BINARY, {"--url", sink.url(), "--password", "x", "outbox", "list"});
        CHECK(old.exit_code == 5);
        CHECK(contains(old.output, "daemon does not support the outbox"));
        CHECK(run_program(PIOTCTL_BINARY,
                          {"--url", sink.url(), "--password", "x", "outbox", "show", "abc-1"})
                  .exit_code == 5);
    }

    TEST_CASE("piotctl sync now on a till") {
        DemoUpstream demo;
        OpsDaemon till({}, {"--upstream", demo.url(), "--sync-period", "3600"},
                       {{"PIOTD_UPSTREAM_PASSWORD", "admin"}});
        const RunResult sync = till.ctl({"sync", "now"});
        CHECK(sync.exit_code == 0);
        CHECK(contains(sync.output, "sync requested"));
    }

    TEST_CASE("piotctl doctor: finds a world-readable config, a dead daemon, a port taken") {
        DemoUpstream demo;
        OpsDaemon till("[upstream]\nurl = " + demo.url() + "\npassword = admin\n");
        REQUIRE(eventually(
            [&] { return contains(till.client().get("/api/v1/status").body, "\"ready\""); }));
        const RunResult healthy = till.ctl({"doctor"});
        CHECK_MESSAGE(healthy.exit_code == 0, healthy.output);
        CHECK(contains(healthy.output, "ok    daemon"));
        CHECK(contains(healthy.output, "ok    upstream"));
        CHECK(contains(healthy.output, "ok    clock"));
        CHECK(contains(healthy.output, "ok    map use"));

        chmod(till.config().c_str(), 0644);
        const RunResult readable = till.ctl({"--json", "doctor"});
        CHECK(readable.exit_code == 1);
        const auto doc = parse(readable.output);
        CHECK(doc["ok"].GetBool() == false);
        CHECK(std::string(doc["findings"][0]["level"].GetString()) == "fail");
        CHECK(contains(doc["findings"][0]["fix"].GetString(), "chmod 0640"));
        chmod(till.config().c_str(), 0640);

        till.process->stop();
        const RunResult stopped = till.ctl({"doctor"});
        CHECK(stopped.exit_code == 1);
        CHECK(contains(stopped.output, "fail  daemon        nothing answers"));

        // Something else on the daemon's port: the upstream demo answers as piotd would, so use
        // the fake answer of a plain HTTP server instead: a --url that points at a non-piotd.
        const RunResult other = till.ctl({"--url", demo.url() + "/nothing", "doctor"});
        CHECK(other.exit_code == 1);
        CHECK(contains(other.output, "taken by something that is not piotd"));

        // A listener that accepts and closes without a word (not HTTP at all).
        const unsigned short port = free_port();
        const int listener = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        REQUIRE(listen(listener, 4) == 0);
        std::thread closer([listener] {
            const int connection = accept(listener, nullptr, nullptr);
            if (connection >= 0) close(connection);
        });
        const RunResult silent =
            till.ctl({"--url", "http://127.0.0.1:" + std::to_string(port), "doctor"});
        closer.join();
        close(listener);
        CHECK(silent.exit_code == 1);
        CHECK(contains(silent.output, "but does not answer like piotd"));
    }
}
