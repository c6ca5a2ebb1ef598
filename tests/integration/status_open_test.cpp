// The LM status without credentials (issue 22, item 7; docs/api.md): monitoring templates poll
// GET /api/v1/status with bare curl. The real daemon answers them on a loopback listener, leaves
// out what only the POS may read, keeps every other route behind Basic auth, and wants
// credentials on a network listener, through the TLS front, and with [auth] status_open = false.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/daemon_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/fake_local_module_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/json_answer.hpp"
#include "tests/support/shell_command.hpp"
#include "tests/support/test_pki.hpp"

using namespace piotd::test;

namespace {

const std::string kAllowed = "0104603586014674215012516137746";

// A demo daemon (admin:admin) on its own data dir, with an optional config file.
struct Daemon {
    TempDir dir;
    unsigned short port = free_port();
    std::unique_ptr<DaemonProcess> process;

    explicit Daemon(const std::string& config_text = {}, std::string listen_host = "127.0.0.1",
                    std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--demo",
                                         "--data-dir",
                                         (dir.path() / "data").string(),
                                         "--listen",
                                         listen_host + ":" + std::to_string(port),
                                         "--true-api",
                                         ""};
        if (!config_text.empty()) {
            const auto file = dir.path() / "piotd.conf";
            std::ofstream(file) << config_text;
            args.push_back("--config");
            args.push_back(file.string());
        }
        args.insert(args.end(), extra.begin(), extra.end());
        process = std::make_unique<DaemonProcess>(args, port);
    }
    HttpReply anonymous(const std::string& method, const std::string& target,
                        const std::string& body = {}) const {
        HttpClient client(port);
        return client.request(method, target, body, "");
    }
};

// What a monitoring template reads (lm-api.md §3.2, §4, §5).
void check_monitoring_fields(const rapidjson::Document& status, bool v2) {
    for (const char* field :
         {"name", "version", "status", "operationMode", "inst", "inn", "dbVersion", "serviceUrl",
          "lastSync", "lastUpdate", "requiresDownload", "isGreyGtin", "replicationStatus"}) {
        CHECK_MESSAGE(status.HasMember(field), field);
    }
    CHECK(str(status["status"]) == "ready");
    CHECK(str(status["operationMode"]) == "active");
    CHECK(status["requiresDownload"].IsBool());
    CHECK(status["lastSync"].IsInt64());
    CHECK(status["replicationStatus"]["blocked_cis"]["localDocCount"].IsUint64());
    CHECK(status["replicationStatus"]["blocked_gtin"].HasMember("serverDocCount"));
    CHECK(status.HasMember("dbState") == v2);
    if (v2) CHECK(status["dbState"]["blocked_cis"]["docCount"].IsUint64());
}

}  // namespace

TEST_SUITE("integration.status_open") {
    TEST_CASE("anonymous status on loopback: the monitoring fields, no clients, no lastError") {
        Daemon daemon;
        // A POS with credentials and its fiscal drive number is listed to those with credentials.
        HttpClient pos(daemon.port);
        const auto seen =
            pos.request("GET", "/api/v1/status", {}, "-", {{"X-ClientId", "9999078900001234"}});
        REQUIRE(seen.status == 200);
        const auto full = parse(seen.body);
        REQUIRE(full.HasMember("clients"));
        CHECK(str(full["clients"][0]["id"]) == "9999078900001234");

        for (const std::string version : {"v1", "v2"}) {
            CAPTURE(version);
            // What `curl http://127.0.0.1:5995/api/v1/status` sends.
            HttpClient monitor(daemon.port);
            const auto reply = monitor.request("GET", "/api/" + version + "/status", {}, "",
                                               {{"X-ClientId", "planted"}});
            REQUIRE(reply.status == 200);
            CHECK(reply.headers.at("content-type").starts_with("application/json"));
            CHECK(reply.headers.count("www-authenticate") == 0);
            const auto status = parse(reply.body);
            check_monitoring_fields(status, version == "v2");
            CHECK(str(status["inst"]) == str(full["inst"]));
            CHECK(!status.HasMember("clients"));
            CHECK(!status.HasMember("lastError"));
            CHECK(reply.body.find("9999078900001234") == std::string::npos);
        }
        // The anonymous X-ClientId was not recorded.
        const auto after = parse(pos.get("/api/v1/status").body);
        REQUIRE(after["clients"].IsArray());
        CHECK(after["clients"].Size() == 1);
        CHECK(after.HasMember("lastError") == false);  // the demo never failed a sync

        // Credentials that are sent are checked: a POS with a wrong password learns it here.
        HttpClient wrong(daemon.port, "admin", "wrong");
        for (const char* target : {"/api/v1/status", "/api/v2/status"}) {
            CAPTURE(target);
            const auto refused = wrong.get(target);
            CHECK(refused.status == 401);
            CHECK(parse(refused.body)["errorCode"].GetInt() == 4010);
            CHECK(refused.headers.count("www-authenticate") == 1);
            HttpClient other_scheme(daemon.port);
            CHECK(other_scheme.request("GET", target, {}, "Bearer abc").status == 401);
        }
        // Only GET: another method on the status is still 405 (with credentials) or 401/405.
        CHECK(pos.request("DELETE", "/api/v1/status").status == 405);
    }

    TEST_CASE("every other route keeps its auth on a loopback listener") {
        Daemon daemon;
        const std::vector<std::pair<std::string, std::string>> gets = {
            {"GET", "/api/v1/cis/check?cis=" + kAllowed},
            {"GET", "/api/v1/cis/outCheck?cis=" + kAllowed},
            {"GET", "/api/v2/cis/outCheck?cis=" + kAllowed},
            {"GET", "/api/v2/cis/sold"},
            {"GET", "/api/v1/journal"},
            {"GET", "/api/v1/status/page"},
            {"GET", "/api/v1/replication/state"},
            {"GET", "/api/v1/outbox"},
            {"GET", "/api/v1/verdict?cis=" + kAllowed},
            {"GET", "/metrics"},
            {"GET", "/"},
        };
        for (const auto& [method, target] : gets) {
            CAPTURE(target);
            const auto reply = daemon.anonymous(method, target);
            CHECK(reply.status == 401);
            CHECK(reply.headers.count("www-authenticate") == 1);
        }
        const std::string body = R"({"cis_list":[")" + kAllowed + R"("]})";
        for (const char* target :
             {"/api/v1/cis/check", "/api/v2/cis/outCheck", "/api/v1/init", "/api/v2/init",
              "/api/v2/cis/sell", "/api/v2/cis/return", "/api/v1/piot/check"}) {
            CAPTURE(target);
            CHECK(daemon.anonymous("POST", target, body).status == 401);
        }
        // With credentials they answer as before.
        HttpClient client(daemon.port);
        CHECK(client.get("/api/v1/cis/check?cis=" + kAllowed).status == 200);
        CHECK(client.get("/metrics").status == 200);
    }

    TEST_CASE("[auth] status_open = false: the status wants credentials as before") {
        Daemon daemon("[auth]\nstatus_open = false\n");
        for (const char* target : {"/api/v1/status", "/api/v2/status"}) {
            CAPTURE(target);
            const auto reply = daemon.anonymous("GET", target);
            CHECK(reply.status == 401);
            CHECK(parse(reply.body)["errorCode"].GetInt() == 4010);
            HttpClient client(daemon.port);
            CHECK(client.get(target).status == 200);
        }
        // A bad value stops the start with the key named.
        TempDir dir;
        const auto file = dir.path() / "bad.conf";
        std::ofstream(file) << "[auth]\nstatus_open = yes\n";
        const auto refused = run_piotd(
            {"--demo", "--data-dir", (dir.path() / "data").string(), "--config", file.string()});
        CHECK(refused.exit_code != 0);
        CHECK(refused.output.find("auth.status_open must be true or false") != std::string::npos);
    }

    TEST_CASE("[metrics] open keeps its own rule beside the open status") {
        Daemon open_metrics("[metrics]\nopen = true\n");
        CHECK(open_metrics.anonymous("GET", "/metrics").status == 200);
        CHECK(open_metrics.anonymous("GET", "/api/v1/status").status == 200);
        CHECK(open_metrics.anonymous("GET", "/api/v1/journal").status == 401);
        Daemon closed_both("[metrics]\nopen = false\n[auth]\nstatus_open = false\n");
        CHECK(closed_both.anonymous("GET", "/metrics").status == 401);
        CHECK(closed_both.anonymous("GET", "/api/v1/status").status == 401);
    }

    TEST_CASE("a network listener (0.0.0.0) wants credentials for the status") {
        Daemon store({}, "0.0.0.0");
        for (const char* target : {"/api/v1/status", "/api/v2/status"}) {
            CAPTURE(target);
            CHECK(store.anonymous("GET", target).status == 401);
            HttpClient client(store.port);
            CHECK(client.get(target).status == 200);
        }
    }

    TEST_CASE("the TLS front's clients are on the LAN: status wants credentials over https") {
        TempDir pki;
        const std::string dir = pki.path().string();
        make_test_pki(dir);
        const auto tls_port = free_port();
        Daemon store("[server]\ntls_listen = 127.0.0.1:" + std::to_string(tls_port) +
                     "\ntls_cert_file = " + dir + "/server.pem\ntls_key_file = " + dir +
                     "/server.key\n");
        const std::string base = "https://127.0.0.1:" + std::to_string(tls_port);
        const std::string curl =
            "curl -s -o /dev/null -w '%{http_code}' --cacert " + dir + "/ca.pem ";
        int exit_status = 0;
        for (const char* target : {"/api/v1/status", "/api/v2/status"}) {
            CAPTURE(target);
            CHECK(run_command(curl + base + target, exit_status) == "401");
            CHECK(exit_status == 0);
            CHECK(run_command(curl + "-u admin:admin " + base + target, exit_status) == "200");
            CHECK(run_command(curl + "-u admin:wrong " + base + target, exit_status) == "401");
            // The plain listener of the same daemon is loopback: anonymous there.
            CHECK(store.anonymous("GET", target).status == 200);
        }
        // Other routes over https: as before.
        CHECK(run_command(curl + base + "/api/v1/replication/state", exit_status) == "401");
        CHECK(run_command(curl + "-u admin:admin " + base + "/api/v1/replication/state",
                          exit_status) == "200");
    }

    TEST_CASE("in front of a local module: its health in the anonymous status, not its address") {
        FakeLocalModule lm;
        Daemon till({}, "127.0.0.1", {"--local-module", lm.url()});
        REQUIRE(eventually([&] { return FakeLocalModule::mirrored_ready(till.port); }));
        const auto reply = till.anonymous("GET", "/api/v1/status");
        REQUIRE(reply.status == 200);
        const auto status = parse(reply.body);
        REQUIRE(status.HasMember("localModule"));
        const auto& mirror = status["localModule"];
        CHECK(mirror["reachable"].GetBool());
        CHECK(str(mirror["status"]) == "ready");
        CHECK(str(mirror["operationMode"]) == "active");
        CHECK(mirror["lastSync"].IsInt64());
        CHECK(mirror["syncDeadline"].GetInt64() ==
              mirror["lastSync"].GetInt64() + 72LL * 3600 * 1000);
        CHECK(mirror.HasMember("requiresDownload"));
        CHECK(!mirror.HasMember("url"));
        CHECK(!mirror.HasMember("lastError"));
        CHECK(!mirror.HasMember("inst"));
        CHECK(reply.body.find(std::to_string(lm.port)) == std::string::npos);
        // With credentials: the whole mirror, as before.
        HttpClient client(till.port);
        const auto full = parse(client.get("/api/v1/status").body);
        CHECK(str(full["localModule"]["url"]) == lm.url());
        CHECK(str(full["localModule"]["inst"]) == kFakeLmInst);
    }
}
