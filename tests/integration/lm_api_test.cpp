// The LM-compatible API of the real piotd binary, spoken to over loopback HTTP.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"

using namespace piotd::test;

namespace {

const std::string kBlocked = "0104850013000162215!!Y!BsOtaR_n";  // sandbox-blocked (Appendix A)
const std::string kAllowed = "0104603586014674215012516137746";  // the real LM answer's code

rapidjson::Document parse(const std::string& body) {
    rapidjson::Document document;
    document.Parse(body.c_str(), body.size());
    REQUIRE_MESSAGE(!document.HasParseError(), "not JSON: " << body);
    return document;
}

bool is_uuid(const std::string& text) {
    static const std::regex uuid(
        "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    return std::regex_match(text, uuid);
}

// A demo daemon on its own data dir and port.
struct DemoDaemon {
    TempDir dir;
    unsigned short port = free_port();
    std::map<std::string, std::string> env;
    std::unique_ptr<DaemonProcess> process;

    explicit DemoDaemon(std::map<std::string, std::string> extra_env = {})
        : env(std::move(extra_env)) {
        start();
    }
    void start() {
        process = std::make_unique<DaemonProcess>(
            std::vector<std::string>{"--demo", "--data-dir", (dir.path() / "data").string(),
                                     "--listen", "127.0.0.1:" + std::to_string(port)},
            port, env);
    }
};

void check_error_body(const HttpReply& reply, int status, int error_code) {
    CHECK(reply.status == status);
    CHECK(reply.headers.at("content-type").starts_with("application/json"));
    const auto body = parse(reply.body);
    REQUIRE(body.IsObject());
    CHECK(body["code"].GetInt() == status);
    CHECK(body["errorCode"].GetInt() == error_code);
    CHECK(body["description"].IsString());
    CHECK(std::string(body["description"].GetString()).size() > 5);
}

}  // namespace

TEST_SUITE("integration.lm_api") {
    TEST_CASE("status v1 and v2 carry every field of the local module") {
        DemoDaemon daemon;
        HttpClient client(daemon.port);
        const auto v1 = client.get("/api/v1/status");
        REQUIRE(v1.status == 200);
        const auto s = parse(v1.body);
        for (const char* key :
             {"name", "version", "status", "operationMode", "inst", "inn", "dbVersion",
              "serviceUrl", "lastSync", "lastUpdate", "requiresDownload", "replicationStatus"}) {
            CHECK_MESSAGE(s.HasMember(key), key);
        }
        CHECK(std::string(s["status"].GetString()) == "ready");
        CHECK(std::string(s["operationMode"].GetString()) == "active");
        CHECK(is_uuid(s["inst"].GetString()));
        CHECK(s["lastSync"].IsInt64());
        CHECK(s["lastSync"].GetInt64() > 1'700'000'000'000);
        CHECK(s["requiresDownload"].IsBool());
        const auto& replication = s["replicationStatus"];
        for (const char* list :
             {"cis", "blocked_gtin", "blocked_cis", "blocked_series", "min_price", "learned"}) {
            REQUIRE_MESSAGE(replication.HasMember(list), list);
            CHECK(replication[list].HasMember("timeLag"));
            CHECK(replication[list].HasMember("serverDocCount"));
            CHECK(replication[list].HasMember("localDocCount"));
        }
        CHECK(std::string(replication["cis"]["localDocCount"].GetString()) == "unknown");
        CHECK(replication["blocked_cis"]["localDocCount"].GetUint64() == 8);
        // piotd's own list of codes its upstreams answered blocked: empty on a demo, but known.
        CHECK(replication["learned"]["localDocCount"].GetUint64() == 0);
        CHECK(!s.HasMember("dbState"));

        const auto v2 = parse(client.get("/api/v2/status").body);
        REQUIRE(v2.HasMember("dbState"));
        CHECK(v2["dbState"]["blocked_cis"]["docCount"].GetUint64() == 8);
        CHECK(v2["dbState"]["blocked_gtin"]["docCount"].GetUint64() == 2);
        CHECK(v2["dbState"]["min_price"]["docCount"].GetUint64() == 2);
    }

    TEST_CASE("GET check answers blocked and allowed codes in the flat LM shape") {
        DemoDaemon daemon;
        HttpClient client(daemon.port);
        for (const char* path : {"/api/v1/cis/check", "/api/v1/cis/outCheck"}) {
            const auto blocked = client.get(std::string(path) + "?cis=" + url_encode(kBlocked));
            REQUIRE(blocked.status == 200);
            const auto b = parse(blocked.body);
            CHECK(b["code"].GetInt() == 0);
            CHECK(std::string(b["description"].GetString()) == "ok");
            CHECK(is_uuid(b["reqId"].GetString()));
            CHECK(b["reqTimestamp"].IsInt64());
            CHECK(is_uuid(b["inst"].GetString()));
            CHECK(b["version"].IsString());
            REQUIRE(b["codes"].Size() == 1);
            const auto& code = b["codes"][0];
            CHECK(std::string(code["cis"].GetString()) == kBlocked);
            CHECK(std::string(code["gtin"].GetString()) == "04850013000162");
            CHECK(std::string(code["printView"].GetString()) == kBlocked);
            CHECK(code["isBlocked"].GetBool() == true);
            CHECK(code["isGreyGtin"].GetBool() == false);

            const auto allowed = parse(client.get(std::string(path) + "?cis=" + kAllowed).body);
            CHECK(allowed["codes"][0]["isBlocked"].GetBool() == false);
        }
    }

    TEST_CASE("X-ClientId is optional and recorded per client") {
        DemoDaemon daemon;
        HttpClient client(daemon.port);
        CHECK(client.get("/api/v1/cis/check?cis=" + kAllowed).status == 200);
        CHECK(parse(client.get("/api/v1/status").body).HasMember("clients") == false);
        for (int i = 0; i < 3; ++i) {
            CHECK(client
                      .request("GET", "/api/v1/cis/check?cis=" + kAllowed, {}, "-",
                               {{"X-ClientId", "7284440700391860"}})
                      .status == 200);
        }
        const auto status = parse(client.get("/api/v1/status").body);
        REQUIRE(status.HasMember("clients"));
        REQUIRE(status["clients"].Size() == 1);
        CHECK(std::string(status["clients"][0]["id"].GetString()) == "7284440700391860");
        CHECK(status["clients"][0]["requests"].GetUint64() == 3);
        CHECK(status["clients"][0]["lastSeen"].GetInt64() > 1'700'000'000'000);
    }

    TEST_CASE("reqId is fresh for every check and inst is stable across restarts") {
        DemoDaemon daemon;
        std::string inst;
        {
            HttpClient client(daemon.port);
            const auto a = parse(client.get("/api/v1/cis/check?cis=" + kAllowed).body);
            const auto b = parse(client.get("/api/v1/cis/check?cis=" + kAllowed).body);
            CHECK(std::string(a["reqId"].GetString()) != std::string(b["reqId"].GetString()));
            inst = a["inst"].GetString();
        }
        daemon.process->stop();
        daemon.start();
        HttpClient client(daemon.port);
        const auto status = parse(client.get("/api/v1/status").body);
        CHECK(std::string(status["inst"].GetString()) == inst);
    }

    TEST_CASE("a full code with its crypto tail is cut to the identification code") {
        DemoDaemon daemon;
        HttpClient client(daemon.port);
        // Water code: blocked by its КИ; sent whole with GS (as %1D in the query).
        const std::string full =
            "0104653820923088215GoNfWgdcBeVZ\x1d"
            "93dGVz";
        const auto reply = parse(client.get("/api/v1/cis/check?cis=" + url_encode(full)).body);
        CHECK(std::string(reply["codes"][0]["cis"].GetString()) ==
              "0104653820923088215GoNfWgdcBeVZ");
        CHECK(reply["codes"][0]["isBlocked"].GetBool());
        // Blocked by GTIN and by series, not by CIS.
        const auto by_gtin =
            parse(client
                      .get("/api/v1/cis/check?cis=" + url_encode("0104601662000016215RNef*\x1d"
                                                                 "93B0Ik"))
                      .body);
        CHECK(by_gtin["codes"][0]["isBlocked"].GetBool());
        const auto by_series = parse(
            client
                .get("/api/v1/cis/check?cis=" + url_encode("0104680029460908215jcmHzLmkdPML\x1d"
                                                           "938p9E"))
                .body);
        CHECK(by_series["codes"][0]["isBlocked"].GetBool());
    }

    TEST_CASE("POST checks are wrapped in results; v2 adds sold, mrp and smp") {
        DemoDaemon daemon;
        HttpClient client(daemon.port);
        const std::string list = R"({"cis_list":[")" + kBlocked + R"(",")" + kAllowed + R"("]})";
        for (const char* path : {"/api/v1/cis/check", "/api/v1/cis/outCheck"}) {
            const auto reply = client.post(path, list);
            REQUIRE(reply.status == 200);
            const auto r = parse(reply.body);
            REQUIRE(r["results"].Size() == 1);
            const auto& result = r["results"][0];
            CHECK(result["code"].GetInt() == 0);
            REQUIRE(result["codes"].Size() == 2);
            CHECK(result["codes"][0]["isBlocked"].GetBool());
            CHECK(!result["codes"][1]["isBlocked"].GetBool());
            CHECK(!result["codes"][0].HasMember("sold"));
        }
        const std::string v2_list = R"({"cis_list":[{"cis":")" + kAllowed +
                                    R"(","pg":8},{"cis":"04601653035829H;dV)bFABVUdGVz","pg":3}]})";
        const auto reply = client.post("/api/v2/cis/outCheck", v2_list);
        REQUIRE(reply.status == 200);
        const auto r = parse(reply.body);
        const auto& codes = r["results"][0]["codes"];
        REQUIRE(codes.Size() == 2);
        CHECK(codes[0]["sold"].GetBool() == false);
        CHECK(codes[0]["smp"].GetUint() == 0);
        CHECK(!codes[0].HasMember("mrp"));
        // Tobacco pack: MRP from the code (ABVU = 81.00), smp from the demo min_price list.
        CHECK(std::string(codes[1]["cis"].GetString()) == "04601653035829H;dV)bF");
        CHECK(codes[1]["mrp"].GetUint() == 8100);
        CHECK(codes[1]["smp"].GetUint() == 10000);
    }

    TEST_CASE("a code typed under the Russian keyboard layout is repaired and says so") {
        DemoDaemon daemon;
        HttpClient client(daemon.port);
        // kBlocked typed with the Russian layout active: letters become Cyrillic.
        const std::string typed = "0104850013000162215!!Н!ИыЩефК_т";
        const auto reply = client.get("/api/v1/cis/check?cis=" + url_encode(typed));
        REQUIRE(reply.status == 200);
        const auto r = parse(reply.body);
        CHECK(std::string(r["codes"][0]["cis"].GetString()) == kBlocked);
        CHECK(r["codes"][0]["isBlocked"].GetBool());
        REQUIRE(r["codes"][0].HasMember("repairs"));
        CHECK(std::string(r["codes"][0]["repairs"][0].GetString()) == "layout_repaired");
    }

    TEST_CASE("Basic auth is required on every LM endpoint") {
        DemoDaemon daemon;
        HttpClient client(daemon.port);
        for (const char* path : {"/api/v1/status", "/api/v2/status", "/api/v1/cis/check?cis=1"}) {
            const auto none = client.request("GET", path, {}, "");
            if (std::string(path).ends_with("/status")) {
                // Monitoring reads the status without credentials on a loopback listener
                // (status_open_test.cpp); sent credentials must still be right.
                CHECK(none.status == 200);
            } else {
                check_error_body(none, 401, 4010);
                CHECK(none.headers.count("www-authenticate") == 1);
            }
            check_error_body(client.request("GET", path, {}, basic_authorization("admin", "wrong")),
                             401, 4010);
            check_error_body(client.request("GET", path, {}, "Basic !!!notbase64"), 401, 4010);
            check_error_body(client.request("GET", path, {}, "Bearer abc"), 401, 4010);
        }
        check_error_body(client.request("POST", "/api/v1/init", R"({"token":"x"})", ""), 401, 4010);
        CHECK(client.request("GET", "/api/v1/status", {}, "basic YWRtaW46YWRtaW4=").status == 200);
    }

    TEST_CASE("bad requests get a JSON error with the right status and the daemon keeps serving") {
        DemoDaemon daemon;
        HttpClient client(daemon.port);
        check_error_body(client.post("/api/v1/cis/outCheck", "{not json"), 400, 4001);
        check_error_body(client.post("/api/v1/cis/outCheck", "[1,2]"), 400, 4001);
        check_error_body(client.post("/api/v1/cis/outCheck", "{}"), 400, 4002);
        check_error_body(client.post("/api/v1/cis/outCheck", R"({"cis_list":[]})"), 400, 4002);
        check_error_body(client.post("/api/v1/cis/outCheck", R"({"cis_list":"x"})"), 400, 4006);
        check_error_body(client.post("/api/v1/cis/outCheck", R"({"cis_list":[42]})"), 400, 4006);
        check_error_body(client.post("/api/v2/cis/outCheck", R"({"cis_list":[{"pg":3}]})"), 400,
                         4002);
        check_error_body(
            client.post("/api/v2/cis/outCheck", R"({"cis_list":[{"cis":"x","pg":"3"}]})"), 400,
            4006);
        check_error_body(client.post("/api/v1/cis/outCheck", R"({"cis_list":["not a code"]})"), 400,
                         4003);
        check_error_body(client.post("/api/v1/cis/outCheck", std::string(R"({"cis_list":["01046)") +
                                                                 std::string(1, '\0') + "\"]}"),
                         400, 4001);
        check_error_body(client.get("/api/v1/cis/check"), 400, 4002);
        check_error_body(client.get("/api/v1/cis/check?cis=%zz"), 400, 4006);
        check_error_body(client.get("/api/v1/cis/check?cis=hello"), 400, 4003);
        check_error_body(client.get("/api/v1/nothing"), 404, 4040);
        check_error_body(client.request("DELETE", "/api/v1/status"), 405, 4005);
        check_error_body(client.request("GET", "/api/v1/init"), 405, 4005);
        check_error_body(client.post("/api/v1/init", R"({"token":42})"), 400, 4006);
        check_error_body(client.post("/api/v1/init", R"({"tok":"a"})"), 400, 4002);
        // 2 MB body: over the 1 MiB limit.
        check_error_body(client.post("/api/v1/cis/outCheck", std::string(2 << 20, ' ')), 413, 4130);
        // Deep nesting is refused without crashing the parser.
        check_error_body(client.post("/api/v1/cis/outCheck", std::string(100000, '[')), 400, 4001);
        // Malformed HTTP: the connection is closed, nothing is answered.
        CHECK(HttpClient::raw_exchange(daemon.port, "GARBAGE\r\n\r\n").find("200") ==
              std::string::npos);
        // Still serving.
        HttpClient again(daemon.port);
        CHECK(again.get("/api/v1/cis/check?cis=" + kAllowed).status == 200);
    }

    TEST_CASE("too many codes in one request are refused with 400") {
        DemoDaemon daemon;
        HttpClient client(daemon.port);
        std::string body = R"({"cis_list":[)";
        for (int i = 0; i < 10001; ++i) body += std::string(i ? "," : "") + "\"" + kAllowed + "\"";
        body += "]}";
        check_error_body(client.post("/api/v1/cis/outCheck", body), 400, 4004);
    }

    TEST_CASE(
        "a fresh data dir is not_configured (4045), init moves it to initialization, lists make it "
        "ready") {
        TempDir dir;
        const auto port = free_port();
        const std::string data = (dir.path() / "data").string();
        const std::map<std::string, std::string> env = {{"PIOTD_PASSWORD", "s3cret"}};
        DaemonProcess daemon({"--data-dir", data, "--listen", "127.0.0.1:" + std::to_string(port)},
                             port, env);
        HttpClient client(daemon.port(), "admin", "s3cret");
        CHECK(std::string(parse(client.get("/api/v1/status").body)["status"].GetString()) ==
              "not_configured");
        check_error_body(client.get("/api/v1/cis/check?cis=" + kAllowed), 400, 4045);
        check_error_body(
            client.post("/api/v2/cis/outCheck", R"({"cis_list":[")" + kAllowed + R"("]})"), 400,
            4045);

        const auto init = client.post("/api/v1/init", R"({"token":"0a1b2c3d-token"})");
        CHECK(init.status == 200);
        CHECK(parse(init.body)["code"].GetInt() == 0);
        CHECK(std::string(parse(client.get("/api/v2/status").body)["status"].GetString()) ==
              "initialization");
        CHECK(parse(client.get("/api/v2/status").body)["requiresDownload"].GetBool());
        check_error_body(client.get("/api/v1/cis/check?cis=" + kAllowed), 400, 4045);
        // The token never reaches the log.
        CHECK(daemon.log().find("0a1b2c3d-token") == std::string::npos);

        // Loading both required lists while the daemon runs makes it ready within a second or two.
        const auto cis = run_piotd({"import", "--data-dir", data, "--list", "blocked_cis", "-"}, {},
                                   kBlocked + "\n# comment\n\n0104670019034189215HDGZDLEP8ZXt\n");
        CHECK_MESSAGE(cis.exit_code == 0, cis.output);
        CHECK(cis.output.find("2 items loaded") != std::string::npos);
        const auto gtin = run_piotd({"import", "--data-dir", data, "--list", "blocked_gtin", "-"},
                                    {}, "04601662000016\n");
        CHECK_MESSAGE(gtin.exit_code == 0, gtin.output);
        std::string status;
        for (int i = 0; i < 60 && status != "ready"; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            status = parse(client.get("/api/v1/status").body)["status"].GetString();
        }
        CHECK(status == "ready");
        const auto check = parse(client.get("/api/v1/cis/check?cis=" + url_encode(kBlocked)).body);
        CHECK(check["codes"][0]["isBlocked"].GetBool());
        CHECK(!parse(client.get("/api/v1/cis/check?cis=" + kAllowed).body)["codes"][0]["isBlocked"]
                   .GetBool());
    }

    TEST_CASE("72 hours without a sync is sync_error (4050); the clock is moved by the test") {
        TempDir clock_dir;
        const auto clock_file = clock_dir.path() / "offset";
        std::ofstream(clock_file) << 0;
        DemoDaemon daemon({{"PIOTD_TEST_CLOCK_FILE", clock_file.string()}});
        HttpClient client(daemon.port);
        CHECK(client.get("/api/v1/cis/check?cis=" + kAllowed).status == 200);

        std::ofstream(clock_file) << 72LL * 3600 * 1000 - 60'000;  // 71 h 59 min
        CHECK(client.get("/api/v1/cis/check?cis=" + kAllowed).status == 200);

        std::ofstream(clock_file) << 73LL * 3600 * 1000;
        CHECK(std::string(parse(client.get("/api/v1/status").body)["status"].GetString()) ==
              "sync_error");
        check_error_body(client.get("/api/v1/cis/check?cis=" + kAllowed), 400, 4050);
        check_error_body(
            client.post("/api/v2/cis/outCheck", R"({"cis_list":[")" + kAllowed + R"("]})"), 400,
            4050);

        std::ofstream(clock_file) << 0;
        CHECK(client.get("/api/v1/cis/check?cis=" + kAllowed).status == 200);
    }

    TEST_CASE("the daemon refuses to start without a password unless in demo mode") {
        TempDir dir;
        const auto result = run_piotd({"--data-dir", dir.path().string(), "--listen",
                                       "127.0.0.1:" + std::to_string(free_port())});
        CHECK(result.exit_code == 1);
        CHECK(result.output.find("password") != std::string::npos);
        const auto usage = run_piotd({"--no-such-flag"});
        CHECK(usage.exit_code == 2);
        const auto version = run_piotd({"--version"});
        CHECK(version.exit_code == 0);
        CHECK(version.output.starts_with("piotd "));
    }
}
