// Permissive mode end to end (docs/permissive-mode.md): the real piotd against the fake True API
// (tests/fakes/fake_true_api.cpp), the CRPT scenarios of tests/data/trueapi/scenarios.json, host
// failover and blocking under a moved clock, the online budget with a hanging upstream, the
// ТС ПИоТ API shapes, byte-exact codes, and TLS with a CA made for the test.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "protocol/text/base64.hpp"
#include "storage/black_lists.hpp"
#include "storage/environment.hpp"
#include "storage/transaction.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/shell_command.hpp"
#include "tests/support/test_pki.hpp"

using namespace piotd::test;

namespace {

constexpr int kBudgetMs = 1500;

rapidjson::Document parse(const std::string& body) {
    rapidjson::Document document;
    document.Parse(body.c_str(), body.size());
    REQUIRE_MESSAGE((!document.HasParseError() && document.IsObject()), "not JSON: " << body);
    return document;
}

std::string str(const rapidjson::Value& value) {
    return {value.GetString(), value.GetStringLength()};
}

// A JSON string literal of `text` (GS and quotes escaped as JSON wants).
std::string json_string(const std::string& text) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    return {buffer.GetString(), buffer.GetSize()};
}

std::int64_t real_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct Scenario {
    std::string id;
    std::string code;
    std::string ki;
    std::int64_t price = 0;
    std::string fault;
    std::string req_id;
    std::int64_t req_timestamp = 0;
    bool offline_available = false;
    bool offline_blocked = false;
    bool offline_sold = false;
    std::string expected_source;
    bool expected_allowed = false;
    std::vector<std::string> expected_reasons;
};

struct ScenarioTable {
    std::int64_t now_ms = 0;
    std::string fiscal_drive;
    std::vector<Scenario> scenarios;
};

const ScenarioTable& scenarios() {
    static const ScenarioTable table = [] {
        std::ifstream in(std::string(PIOTD_TEST_DATA_DIR) + "/trueapi/scenarios.json");
        std::stringstream text;
        text << in.rdbuf();
        rapidjson::Document document = parse(text.str());
        ScenarioTable result;
        result.now_ms = document["nowMs"].GetInt64();
        result.fiscal_drive = str(document["fiscalDriveNumber"]);
        for (const auto& entry : document["scenarios"].GetArray()) {
            Scenario s;
            s.id = str(entry["id"]);
            s.code = str(entry["code"]);
            s.ki = str(entry["ki"]);
            s.price = entry["price"].GetInt64();
            const auto& api = entry["trueApi"];
            if (api.HasMember("fault")) s.fault = str(api["fault"]);
            if (api.HasMember("reqId")) s.req_id = str(api["reqId"]);
            if (api.HasMember("reqTimestamp")) s.req_timestamp = api["reqTimestamp"].GetInt64();
            if (entry.HasMember("offline") && entry["offline"].IsObject()) {
                const auto& offline = entry["offline"];
                s.offline_available = offline["available"].GetBool();
                s.offline_blocked =
                    offline.HasMember("isBlocked") && offline["isBlocked"].GetBool();
                s.offline_sold = offline.HasMember("sold") && offline["sold"].GetBool();
            }
            const auto& expected = entry["expected"];
            s.expected_source = str(expected["source"]);
            s.expected_allowed =
                expected["isSaleAllowed"].IsBool() && expected["isSaleAllowed"].GetBool();
            for (const auto& reason : expected["reasons"].GetArray()) {
                s.expected_reasons.push_back(str(reason));
            }
            result.scenarios.push_back(s);
        }
        return result;
    }();
    return table;
}

// The fake True API on `hosts` ports (each one CDN host), optionally with TLS.
struct FakeTrueApi {
    std::vector<unsigned short> ports;
    std::unique_ptr<DaemonProcess> process;

    explicit FakeTrueApi(int hosts, const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args;
        for (int i = 0; i < hosts; ++i) {
            ports.push_back(free_port());
            args.push_back("--port");
            args.push_back(std::to_string(ports.back()));
        }
        args.insert(args.end(), extra.begin(), extra.end());
        process = std::make_unique<DaemonProcess>(PIOTD_FAKE_TRUE_API, args, ports[0]);
    }
    std::string url(bool tls = false) const {
        return std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(ports[0]);
    }
    HttpReply control(const std::string& target) const {
        HttpClient client(ports[0]);
        return client.request("POST", target, "", "");
    }
    void fault(int host, const std::string& mode, const std::string& extra = {}) const {
        REQUIRE(
            control("/control/fault?port=" + std::to_string(ports[static_cast<std::size_t>(host)]) +
                    "&mode=" + mode + extra)
                .status == 200);
    }
    void health(int host, int avg_ms) const {
        REQUIRE(control("/control/health?port=" +
                        std::to_string(ports[static_cast<std::size_t>(host)]) +
                        "&avg_ms=" + std::to_string(avg_ms))
                    .status == 200);
    }
    // codes/check requests each host has had so far.
    std::vector<std::uint64_t> checks() const {
        HttpClient client(ports[0]);
        const auto document = parse(client.request("GET", "/control/stats", "", "").body);
        std::vector<std::uint64_t> counts;
        for (const auto& port : document["ports"].GetArray())
            counts.push_back(port["checks"].GetUint64());
        return counts;
    }
    std::uint64_t connections(int host) const {
        HttpClient client(ports[0]);
        const auto document = parse(client.request("GET", "/control/stats", "", "").body);
        return document["ports"][static_cast<rapidjson::SizeType>(host)]["connections"].GetUint64();
    }
    std::uint64_t infos() const {
        HttpClient client(ports[0]);
        return parse(client.request("GET", "/control/stats", "", "").body)["infos"].GetUint64();
    }
};

// The test clock: PIOTD_TEST_CLOCK_FILE holds an offset added to the daemon's wall clock.
struct TestClock {
    std::filesystem::path file;
    std::int64_t offset = 0;
    TestClock(const std::filesystem::path& path, std::int64_t initial) : file(path) {
        set(initial);
    }
    void set(std::int64_t value) {
        offset = value;
        std::ofstream(file) << offset;
    }
    void advance(std::int64_t ms) { set(offset + ms); }
};

// A piotd in demo mode (ready, demo lists) plus the scenarios' offline black list and sold set,
// talking to `fake`, with the clock at the scenarios' "now".
struct PermissiveDaemon {
    TempDir dir;
    unsigned short port = free_port();
    unsigned short piot_port = free_port();
    std::unique_ptr<TestClock> clock;
    std::unique_ptr<DaemonProcess> process;
    std::vector<std::string> extra_sold;  // КИ marked sold besides the scenarios' own

    PermissiveDaemon(const std::string& true_api, std::vector<std::string> extra = {},
                     bool ready = true, std::vector<std::string> sold = {}) {
        extra_sold = std::move(sold);
        clock =
            std::make_unique<TestClock>(dir.path() / "clock", scenarios().now_ms - real_now_ms());
        const std::string data = (dir.path() / "data").string();
        if (ready) seed(data);
        std::vector<std::string> args = {
            "--data-dir", data,     "--listen",      "127.0.0.1:" + std::to_string(port),
            "--true-api", true_api, "--piot-listen", "127.0.0.1:" + std::to_string(piot_port)};
        if (ready) args.push_back("--demo");
        args.insert(args.end(), extra.begin(), extra.end());
        std::map<std::string, std::string> env = {{"PIOTD_TOKEN", "test-token"},
                                                  {"PIOTD_TEST_CLOCK_FILE", clock->file.string()},
                                                  {"PIOTD_PASSWORD", "admin"}};
        process = std::make_unique<DaemonProcess>(args, port, env);
    }

    // Demo lists first (a --demo start), then the scenarios' blocked КИ and the sold set.
    void seed(const std::string& data) {
        {
            DaemonProcess first(
                {"--demo", "--data-dir", data, "--listen", "127.0.0.1:" + std::to_string(port),
                 "--piot-listen", "", "--true-api", ""},
                port);
            first.stop();
        }
        std::string blocked;
        for (const Scenario& s : scenarios().scenarios) {
            if (s.offline_blocked) blocked += s.ki + "\n";
        }
        const auto imported = run_piotd(
            {"import", "--data-dir", data, "--list", "blocked_cis", "--append", "-"}, {}, blocked);
        REQUIRE_MESSAGE(imported.exit_code == 0, imported.output);
        piotd::storage::EnvironmentOptions options;
        options.dir = data;
        options.map_size = std::size_t{64} << 20;
        piotd::storage::Environment env(options);
        piotd::storage::BlackLists lists(env);
        piotd::storage::WriteTxn txn(env);
        for (const Scenario& s : scenarios().scenarios) {
            if (s.offline_sold) lists.mark_sold(txn, s.ki);
        }
        for (const std::string& ki : extra_sold) lists.mark_sold(txn, ki);
        txn.commit();
    }

    HttpReply check(const std::string& code, std::int64_t price) const {
        HttpClient client(port);
        return client.post("/api/v1/piot/check", R"({"items":[{"code":)" + json_string(code) +
                                                     R"(,"price":)" + std::to_string(price) +
                                                     R"(,"quantity":1}],"fiscalDriveNumber":")" +
                                                     scenarios().fiscal_drive + R"("})");
    }
    HttpReply piot(const std::string& target, const std::string& body) const {
        HttpClient client(piot_port);
        return client.request("POST", target, body, "", {{"Content-Type", "application/json"}});
    }
    // Waits until the daemon has the CDN host list (the first refresh runs at start).
    void wait_for_hosts(std::size_t count) const {
        HttpClient client(port);
        for (int i = 0; i < 100; ++i) {
            const auto document = parse(client.get("/api/v1/trueapi/hosts").body);
            if (document["hosts"].Size() == count) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        FAIL("the daemon never listed the CDN hosts");
    }
    std::string inst() const {
        HttpClient client(port);
        return str(parse(client.get("/api/v1/status").body)["inst"]);
    }
};

std::vector<std::string> reason_codes(const rapidjson::Value& item) {
    std::vector<std::string> codes;
    for (const auto& reason : item["reasons"].GetArray()) codes.push_back(str(reason["code"]));
    return codes;
}

void check_tag1260(const rapidjson::Value& item) {
    const auto& tag = item["tag1260"];
    CHECK(str(tag["1262"]) == "030");
    CHECK(str(tag["1263"]) == "21.11.2023");
    CHECK(str(tag["1264"]) == "1944");
    CHECK(item["tag1260Hex"].IsString());
    CHECK(str(item["tag1260Hex"]).starts_with("EC04"));  // tag 1260, little endian
}

}  // namespace

TEST_SUITE("integration.permissive") {
    TEST_CASE("the 26 CRPT scenarios end to end: verdict, reasons, source and tag 1265") {
        FakeTrueApi fake(2);
        PermissiveDaemon daemon(fake.url());
        daemon.wait_for_hosts(2);
        const std::string inst = daemon.inst();
        REQUIRE(scenarios().scenarios.size() == 26);
        for (const Scenario& s : scenarios().scenarios) {
            if (!s.expected_source.empty() && s.expected_source == "none") continue;  // 5.21 below
            CAPTURE(s.id);
            const auto started = std::chrono::steady_clock::now();
            const HttpReply reply = daemon.check(s.code, s.price);
            const auto elapsed = std::chrono::steady_clock::now() - started;
            REQUIRE_MESSAGE(reply.status == 200, reply.body);
            const auto document = parse(reply.body);
            REQUIRE(document["items"].Size() == 1);
            const auto& item = document["items"][0];
            CHECK(item["isSaleAllowed"].GetBool() == s.expected_allowed);
            CHECK(str(item["source"]) == s.expected_source);
            CHECK(reason_codes(item) == s.expected_reasons);
            check_tag1260(item);
            const std::string prop = str(item["tag1260"]["1265"]);
            if (s.expected_source == "online") {
                CHECK(prop == "UUID=" + s.req_id + "&Time=" + std::to_string(s.req_timestamp));
                CHECK(str(item["upstream"]["cis"]) == s.code);
            } else {
                CHECK(prop.starts_with("UUID=" + str(document["reqId"]) + "&Time="));
                CHECK(prop.ends_with("&Inst=" + inst + "&Ver=0.1.0"));
                CHECK(str(item["upstream"]["cis"]) == s.ki);
            }
            // A 5 s upstream is given up at the budget.
            INFO("answer: " << reply.body);
            CHECK(elapsed < std::chrono::milliseconds(kBudgetMs + 1000));
        }
    }

    TEST_CASE(
        "scenario 5.21: neither check possible is 503 cannot_check, and 203 on the ТС ПИоТ API") {
        FakeTrueApi fake(1);
        PermissiveDaemon daemon(fake.url(), {}, false);  // not_configured: no local check
        daemon.wait_for_hosts(1);
        const Scenario* s = nullptr;
        for (const Scenario& candidate : scenarios().scenarios) {
            if (candidate.id == "5.21") s = &candidate;
        }
        REQUIRE(s != nullptr);
        const HttpReply reply = daemon.check(s->code, s->price);
        CHECK(reply.status == 503);
        CHECK(parse(reply.body)["errorCode"].GetInt() == 5035);
        const std::string encoded = piotd::protocol::base64_encode(s->code);
        const HttpReply piot =
            daemon.piot("/api/v2/codes/check", R"({"codes":[")" + encoded + R"("]})");
        CHECK(piot.status == 203);
        CHECK(parse(piot.body)["code"].GetInt() == 203);
    }

    TEST_CASE("checks reuse a kept-alive connection to the CDN host") {
        FakeTrueApi fake(1);
        PermissiveDaemon daemon(fake.url());
        daemon.wait_for_hosts(1);
        const Scenario& ok = scenarios().scenarios[2];
        daemon.check(ok.code, ok.price);
        const std::uint64_t before = fake.connections(0);  // counts this control request too
        for (int i = 0; i < 5; ++i) {
            CHECK(str(parse(daemon.check(ok.code, ok.price).body)["items"][0]["source"]) ==
                  "online");
        }
        // At most one new connection per I/O thread (each keeps its own), plus the next
        // control request.
        CHECK(fake.connections(0) <= before + 3);
    }

    TEST_CASE("a failing host is retried once, blocked for 15 minutes, then tried again") {
        FakeTrueApi fake(2);
        fake.health(0, 10);  // host 0 is the fastest: tried first
        fake.health(1, 40);
        PermissiveDaemon daemon(fake.url());
        daemon.wait_for_hosts(2);
        const Scenario& ok = scenarios().scenarios[2];  // 5.3: sold online
        fake.fault(0, "http_503");
        auto reply = daemon.check(ok.code, ok.price);
        CHECK(str(parse(reply.body)["items"][0]["source"]) == "online");
        CHECK(fake.checks() == std::vector<std::uint64_t>{2, 1});  // one retry, then host 1

        reply = daemon.check(ok.code, ok.price);  // host 0 is blocked: straight to host 1
        CHECK(str(parse(reply.body)["items"][0]["source"]) == "online");
        CHECK(fake.checks() == std::vector<std::uint64_t>{2, 2});

        daemon.clock->advance(14 * 60 * 1000);  // still blocked at 14 minutes
        daemon.check(ok.code, ok.price);
        CHECK(fake.checks() == std::vector<std::uint64_t>{2, 3});

        fake.fault(0, "none");
        daemon.clock->advance(2 * 60 * 1000);  // 16 minutes: host 0 is back
        reply = daemon.check(ok.code, ok.price);
        CHECK(str(parse(reply.body)["items"][0]["source"]) == "online");
        CHECK(fake.checks() == std::vector<std::uint64_t>{3, 3});
    }

    TEST_CASE("429 is retried then blocks; code 5000 is retried and does not block") {
        FakeTrueApi fake(2);
        fake.health(0, 10);
        fake.health(1, 40);
        PermissiveDaemon daemon(fake.url());
        daemon.wait_for_hosts(2);
        const Scenario& ok = scenarios().scenarios[2];
        fake.fault(0, "code_5000");
        daemon.check(ok.code, ok.price);
        CHECK(fake.checks() == std::vector<std::uint64_t>{2, 1});
        daemon.check(ok.code, ok.price);  // not blocked: host 0 first again
        CHECK(fake.checks() == std::vector<std::uint64_t>{4, 2});

        fake.fault(0, "http_429");
        daemon.check(ok.code, ok.price);
        CHECK(fake.checks() == std::vector<std::uint64_t>{6, 3});
        daemon.check(ok.code, ok.price);  // blocked now
        CHECK(fake.checks() == std::vector<std::uint64_t>{6, 4});

        HttpClient client(daemon.port);
        const auto hosts = parse(client.get("/api/v1/trueapi/hosts").body);
        CHECK(hosts["hosts"][0]["blocks"].GetUint64() == 1);
        CHECK(hosts["hosts"][1]["blocks"].GetUint64() == 0);
    }

    TEST_CASE("garbage, a wrong token and a slow host: offline, never a wrong online verdict") {
        FakeTrueApi fake(2);
        fake.health(0, 10);
        fake.health(1, 40);
        PermissiveDaemon daemon(fake.url(), {"--online-budget-ms", "600"});
        daemon.wait_for_hosts(2);
        const Scenario& ok = scenarios().scenarios[2];
        fake.fault(0, "garbage");  // a truncated 200: blocked, host 1 answers
        auto document = parse(daemon.check(ok.code, ok.price).body);
        CHECK(str(document["items"][0]["source"]) == "online");
        CHECK(fake.checks() == std::vector<std::uint64_t>{1, 1});

        fake.fault(1, "slow", "&delay_ms=2000");  // host 0 blocked, host 1 too slow
        document = parse(daemon.check(ok.code, ok.price).body);
        CHECK(str(document["items"][0]["source"]) == "offline");
        CHECK(str(document["onlineFailure"]).find("timed out") != std::string::npos);
    }

    TEST_CASE("the True API refusing the token is not failed over: offline at once") {
        FakeTrueApi fake(2);
        PermissiveDaemon daemon(fake.url());
        daemon.wait_for_hosts(2);
        const Scenario& ok = scenarios().scenarios[2];
        fake.fault(0, "http_401");  // every host would say the same about the token
        const auto started = std::chrono::steady_clock::now();
        auto document = parse(daemon.check(ok.code, ok.price).body);
        CHECK(str(document["items"][0]["source"]) == "offline");
        CHECK(str(document["onlineFailure"]).find("refused") != std::string::npos);
        CHECK(fake.checks() == std::vector<std::uint64_t>{1, 0});  // no failover, no retry
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1000));
    }

    TEST_CASE("when every host is blocked the blocks are lifted and the list starts over") {
        FakeTrueApi fake(2);
        PermissiveDaemon daemon(fake.url());
        daemon.wait_for_hosts(2);
        const Scenario& ok = scenarios().scenarios[2];
        fake.fault(0, "close");
        fake.fault(1, "close");
        auto reply = daemon.check(ok.code, ok.price);
        CHECK(str(parse(reply.body)["items"][0]["source"]) == "offline");
        fake.fault(0, "none");
        fake.fault(1, "none");
        reply = daemon.check(ok.code, ok.price);
        CHECK(str(parse(reply.body)["items"][0]["source"]) == "online");
    }

    TEST_CASE("the host list is refreshed after 6 to 7 hours, sorted by avgTimeMs") {
        FakeTrueApi fake(3);
        fake.health(0, 90);
        fake.health(1, 0);  // unmeasured: last
        fake.health(2, 20);
        PermissiveDaemon daemon(fake.url());
        daemon.wait_for_hosts(3);
        HttpClient client(daemon.port);
        auto hosts = parse(client.get("/api/v1/trueapi/hosts").body);
        CHECK(str(hosts["hosts"][0]["host"]).ends_with(std::to_string(fake.ports[2])));
        CHECK(str(hosts["hosts"][1]["host"]).ends_with(std::to_string(fake.ports[0])));
        CHECK(str(hosts["hosts"][2]["host"]).ends_with(std::to_string(fake.ports[1])));
        const std::int64_t last = hosts["lastRefresh"].GetInt64();
        const std::int64_t next = hosts["nextRefresh"].GetInt64();
        CHECK(next - last >= 6 * 3600 * 1000);
        CHECK(next - last <= 7 * 3600 * 1000);
        const std::uint64_t infos = fake.infos();

        daemon.clock->advance(5 * 3600 * 1000);
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        CHECK(fake.infos() == infos);  // not before 6 h

        daemon.clock->advance(2 * 3600 * 1000 + 60'000);
        for (int i = 0; i < 60 && fake.infos() == infos; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        CHECK(fake.infos() == infos + 1);  // by 7 h
    }

    TEST_CASE("a hanging upstream is given up at the budget and the local lists answer") {
        FakeTrueApi fake(2);
        PermissiveDaemon daemon(fake.url(), {"--online-budget-ms", "400"});
        daemon.wait_for_hosts(2);
        fake.fault(0, "hang");
        fake.fault(1, "hang");
        const Scenario& ok = scenarios().scenarios[2];
        const std::string inst = daemon.inst();
        for (int i = 0; i < 3; ++i) {
            const auto started = std::chrono::steady_clock::now();
            const HttpReply reply = daemon.check(ok.code, ok.price);
            const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - started);
            const auto document = parse(reply.body);
            const auto& item = document["items"][0];
            CHECK(str(item["source"]) == "offline");
            CHECK(str(item["tag1260"]["1265"]).ends_with("&Inst=" + inst + "&Ver=0.1.0"));
            CHECK(elapsed.count() >= 400);
            // Budget + 5 ms is the figure in bench/ (Release); here: ASan, a busy machine.
            CHECK(elapsed.count() < 400 + 150);
        }
        // The LM API is not held up meanwhile: the online wait is off the I/O threads.
        HttpClient client(daemon.port);
        CHECK(client.get("/api/v1/status").status == 200);
    }

    TEST_CASE("the LM API keeps answering while online checks wait on a hanging upstream") {
        FakeTrueApi fake(1);
        PermissiveDaemon daemon(fake.url(), {"--online-budget-ms", "1500", "--threads", "1"});
        daemon.wait_for_hosts(1);
        fake.fault(0, "hang");
        const Scenario& ok = scenarios().scenarios[2];
        std::thread waiting([&] { daemon.check(ok.code, ok.price); });
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        HttpClient client(daemon.port);
        const auto started = std::chrono::steady_clock::now();
        CHECK(client.get("/api/v1/status").status == 200);
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(500));
        waiting.join();
    }

    TEST_CASE("codes with GS, quotes and percent signs travel byte-exact, JSON and base64") {
        FakeTrueApi fake(1);
        PermissiveDaemon daemon(fake.url());
        daemon.wait_for_hosts(1);
        const std::string code =
            "0104607010350246215a\"b%2'\x1d"
            "93dGVz";
        const HttpReply reply = daemon.check(code, 1000);
        REQUIRE(reply.status == 200);
        const auto document = parse(reply.body);
        CHECK(str(document["items"][0]["upstream"]["cis"]) == code);  // echoed by the fake

        const HttpReply piot = daemon.piot(
            "/api/v3/codes/check",
            R"({"codes":[{"cis":")" + piotd::protocol::base64_encode(code) + R"(","pg":8}]})");
        REQUIRE(piot.status == 200);
        const auto answer = parse(piot.body);
        CHECK(str(answer["codesResponse"][0]["codes"][0]["cis"]) == code);
    }

    TEST_CASE("ТС ПИоТ API: v1 nested, v2 flat, offline with inst and version, info") {
        FakeTrueApi fake(1);
        PermissiveDaemon daemon(fake.url());
        daemon.wait_for_hosts(1);
        const Scenario& online = scenarios().scenarios[0];  // 5.1
        const std::string body =
            R"({"codes":[")" + piotd::protocol::base64_encode(online.code) +
            R"("],"client_info":{"name":"pos","version":"1.0","id":"c1","token":"t"}})";
        auto v1 = daemon.piot("/api/v1/codes/check", body);
        REQUIRE_MESSAGE(v1.status == 200, v1.body);
        // The POS's client_info is recorded beside the LM API's X-ClientId values.
        HttpClient status(daemon.port);
        CHECK(status.get("/api/v1/status").body.find(R"("id":"pos/1.0#c1")") != std::string::npos);
        auto document = parse(v1.body);
        const auto& nested = document["codesResponse"]["codesResponse"][0];
        CHECK(str(nested["reqId"]) == online.req_id);
        CHECK(nested["reqTimestamp"].GetInt64() == online.req_timestamp);
        CHECK(nested["isCheckedOffline"].GetBool() == false);
        CHECK(str(nested["codes"][0]["cis"]) == online.code);
        CHECK(nested["codes"][0]["isSaleAllowed"].GetBool() == false);

        auto v2 = daemon.piot("/api/v2/codes/check", body);
        document = parse(v2.body);
        CHECK(document["codesResponse"].IsArray());
        CHECK(document["code"].IsNull());

        fake.fault(0, "close");
        auto offline = daemon.piot("/api/v2/codes/check", body);
        REQUIRE(offline.status == 200);
        document = parse(offline.body);
        const auto& response = document["codesResponse"][0];
        CHECK(response["isCheckedOffline"].GetBool());
        CHECK(str(response["inst"]) == daemon.inst());
        CHECK(str(response["version"]) == "0.1.0");
        CHECK(str(response["codes"][0]["cis"]) == online.ki);

        for (const char* version : {"v1", "v2", "v3"}) {
            HttpClient client(daemon.piot_port);
            const auto info =
                client.request("GET", std::string("/api/") + version + "/info", "", "");
            CHECK(info.status == 200);
            CHECK(parse(info.body)["codesCheckTimeout"].GetInt() == kBudgetMs);
        }
        CHECK(daemon.piot("/api/v2/codes/check", "{nope").status == 400);
        CHECK(daemon.piot("/api/v2/codes/check", R"({"codes":["***"]})").status == 400);
    }

    TEST_CASE("the journal keeps every check, newest first, with limit and since") {
        FakeTrueApi fake(1);
        PermissiveDaemon daemon(fake.url());
        daemon.wait_for_hosts(1);
        const auto& table = scenarios().scenarios;
        for (int i = 0; i < 3; ++i)
            daemon.check(table[static_cast<std::size_t>(i)].code,
                         table[static_cast<std::size_t>(i)].price);
        HttpClient client(daemon.port);
        std::string body;
        for (int i = 0; i < 100; ++i) {  // written off the reply path
            if (parse(client.get("/api/v1/journal").body)["entries"].Size() == 3) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        body = client.get("/api/v1/journal?limit=2").body;
        auto document = parse(body);
        REQUIRE(document["entries"].Size() == 2);
        CHECK(str(document["entries"][0]["code"]) == table[2].code);
        CHECK(str(document["entries"][1]["code"]) == table[1].code);
        CHECK(str(document["entries"][0]["reqId"]) == table[2].req_id);
        CHECK(str(document["entries"][0]["source"]) == "online");
        const std::int64_t newest = document["entries"][0]["time"].GetInt64();
        document = parse(client.get("/api/v1/journal?since=" + std::to_string(newest + 1)).body);
        CHECK(document["entries"].Size() == 0);
        CHECK(client.get("/api/v1/journal?limit=-1").status == 400);
    }

    TEST_CASE("parallel mode: the local sold set refuses what the True API allows") {
        FakeTrueApi fake(1);
        const Scenario& ok = scenarios().scenarios[2];  // 5.3: allowed online
        TempDir config_dir;
        const auto config = config_dir.path() / "piotd.conf";
        std::ofstream(config) << "[trueapi]\nparallel_local = true\n";
        PermissiveDaemon parallel(fake.url(), {"--config", config.string()}, true, {ok.ki});
        parallel.wait_for_hosts(1);
        auto document = parse(parallel.check(ok.code, ok.price).body);
        CHECK(str(document["items"][0]["source"]) == "online");
        CHECK(document["items"][0]["isSaleAllowed"].GetBool() == false);
        CHECK(reason_codes(document["items"][0]) == std::vector<std::string>{"sold"});

        PermissiveDaemon plain(fake.url(), {}, true, {ok.ki});  // the default: online decides
        plain.wait_for_hosts(1);
        document = parse(plain.check(ok.code, ok.price).body);
        CHECK(document["items"][0]["isSaleAllowed"].GetBool() == true);
    }

    TEST_CASE("TLS: the True API is verified against --ca-file, and refused without it") {
        TempDir pki;
        const std::string dir = pki.path().string();
        make_test_pki(dir);
        FakeTrueApi fake(2, {"--cert", dir + "/server.pem", "--key", dir + "/server.key"});

        PermissiveDaemon trusting(fake.url(true), {"--ca-file", dir + "/ca.pem"});
        trusting.wait_for_hosts(2);
        const Scenario& ok = scenarios().scenarios[2];
        const auto reply = trusting.check(ok.code, ok.price);
        REQUIRE(reply.status == 200);
        CHECK(str(parse(reply.body)["items"][0]["source"]) == "online");

        PermissiveDaemon refusing(fake.url(true));
        HttpClient client(refusing.port);
        std::string error;
        for (int i = 0; i < 100 && error.empty(); ++i) {
            error = str(parse(client.get("/api/v1/trueapi/hosts").body)["lastError"]);
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        CHECK(error.find("certificate verify failed") != std::string::npos);
        const auto offline = refusing.check(ok.code, ok.price);
        CHECK(str(parse(offline.body)["items"][0]["source"]) == "offline");
    }

    TEST_CASE("the ТС ПИоТ API over HTTPS with a configured certificate") {
        TempDir pki;
        const std::string dir = pki.path().string();
        make_test_pki(dir);
        FakeTrueApi fake(1);
        const auto config = pki.path() / "piotd.conf";
        std::ofstream(config) << "[trueapi]\npiot_cert_file = " << dir << "/server.pem\n"
                              << "piot_key_file = " << dir << "/server.key\n";
        PermissiveDaemon daemon(fake.url(), {"--config", config.string()});
        daemon.wait_for_hosts(1);
        const std::string base = "https://127.0.0.1:" + std::to_string(daemon.piot_port);
        int status = 0;
        const std::string info =
            run_command("curl -s --cacert " + dir + "/ca.pem " + base + "/api/v2/info", status);
        CHECK(status == 0);
        CHECK(parse(info)["codesCheckTimeout"].GetInt() == kBudgetMs);
        const Scenario& online = scenarios().scenarios[0];
        const std::string body =
            R"({"codes":[")" + piotd::protocol::base64_encode(online.code) + R"("]})";
        const std::string answer = run_command(
            "curl -s --cacert " + dir + "/ca.pem -H 'Content-Type: application/json' -d '" + body +
                "' " + base + "/api/v2/codes/check",
            status);
        CHECK(status == 0);
        CHECK(str(parse(answer)["codesResponse"][0]["reqId"]) == online.req_id);
        // Without the CA the client refuses piotd's certificate; plain HTTP gets nothing useful.
        run_command("curl -s " + base + "/api/v2/info", status);
        CHECK(status != 0);
        CHECK(HttpClient::raw_exchange(daemon.piot_port,
                                       "GET /api/v2/info HTTP/1.1\r\nHost: x\r\n\r\n", 500)
                  .find("tspiotId") == std::string::npos);
    }

    TEST_CASE("bad /piot/check bodies get clear 400s") {
        FakeTrueApi fake(1);
        PermissiveDaemon daemon(fake.url());
        HttpClient client(daemon.port);
        CHECK(client.post("/api/v1/piot/check", "{").status == 400);
        CHECK(client.post("/api/v1/piot/check", R"({"items":[]})").status == 400);
        CHECK(client.post("/api/v1/piot/check", R"({"items":[{"code":"x"}]})").status == 400);
        CHECK(client
                  .post("/api/v1/piot/check",
                        R"({"items":[{"code":"04601653035829H;dV)bFABVUdGVz","price":-1}]})")
                  .status == 400);
        CHECK(client.request("POST", "/api/v1/piot/check", "{}", "").status == 401);
        // Deep nesting cannot overflow the stack (iterative parsing); the daemon keeps serving.
        CHECK(client.post("/api/v1/piot/check", std::string(500'000, '[')).status == 400);
        CHECK(client
                  .post("/api/v1/piot/check",
                        R"({"items":[{"code":)" + std::string(200'000, '[') + "}]}")
                  .status == 400);
        CHECK(daemon.piot("/api/v2/codes/check", std::string(500'000, '{')).status == 400);
        CHECK(client.get("/api/v1/status").status == 200);
    }
}
