// `piotd --demo` on data dirs that already hold lists, and with a configured password: it seeds
// only the empty lists, never replaces one that holds items, keeps the password and says so in
// one start log line (issue 22, item 8).
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"

using namespace piotd::test;

namespace {

// A code the demo's blocked_cis holds (the sandbox's, lm-api.md Appendix A).
const std::string kDemoBlocked = "0104850013000162215!!Y!BsOtaR_n";
// A code of the demo's blocked GTIN 04601662000016, on no CIS list.
const std::string kDemoGtinBlocked = "0104601662000016215RNef*";
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

// The i-th of the imported codes (a real shape: GTIN, AI 21, a 10-character serial).
std::string imported_code(int i) {
    return "0104600000000048215Imp" + std::to_string(100000 + i);
}

// Imports `count` codes into blocked_cis of `data` with `piotd import`.
void import_cis(const std::string& data, int count) {
    std::string codes;
    for (int i = 0; i < count; ++i) codes += imported_code(i) + "\n";
    const RunResult result =
        run_piotd({"import", "--data-dir", data, "--list", "blocked_cis", "-"}, {}, codes);
    REQUIRE_MESSAGE(result.exit_code == 0, result.output);
    REQUIRE(contains(result.output, std::to_string(count) + " items loaded"));
}

std::vector<std::string> demo_args(const std::string& data, unsigned short port) {
    return {"--demo", "--data-dir", data, "--listen", "127.0.0.1:" + std::to_string(port)};
}

std::uint64_t local_count(HttpClient& client, const char* list) {
    const HttpReply reply = client.get("/api/v1/status");
    REQUIRE(reply.status == 200);
    const auto status = parse(reply.body);
    const auto& count = status["replicationStatus"][list]["localDocCount"];
    REQUIRE_MESSAGE(count.IsUint64(), list);
    return count.GetUint64();
}

bool blocked(HttpClient& client, const std::string& code) {
    const HttpReply reply = client.get("/api/v1/cis/check?cis=" + url_encode(code));
    REQUIRE_MESSAGE(reply.status == 200, reply.body);
    const auto answer = parse(reply.body);
    REQUIRE(answer["codes"].Size() == 1);
    return answer["codes"][0]["isBlocked"].GetBool();
}

// The start log's one "demo: …" line.
std::string demo_line(const std::string& log) {
    const std::size_t at = log.find("demo: ");
    if (at == std::string::npos) return {};
    return log.substr(at, log.find('\n', at) - at);
}

}  // namespace

TEST_SUITE("integration.demo") {
    TEST_CASE("an empty data dir: every list seeded, admin:admin, as the README's curl lines") {
        TempDir dir;
        const std::string data = (dir.path() / "data").string();
        const auto port = free_port();
        {
            DaemonProcess daemon(demo_args(data, port), port);
            HttpClient client(port);
            const auto status = parse(client.get("/api/v1/status").body);
            CHECK(std::string(status["status"].GetString()) == "ready");
            CHECK(local_count(client, "blocked_cis") == 8);
            CHECK(local_count(client, "blocked_gtin") == 2);
            CHECK(local_count(client, "blocked_series") == 1);
            CHECK(local_count(client, "min_price") == 2);
            CHECK(local_count(client, "learned") == 0);
            CHECK(blocked(client, kDemoBlocked));
            CHECK(blocked(client, kDemoGtinBlocked));
            CHECK_FALSE(blocked(client, kAllowed));
            CHECK(demo_line(daemon.log()) ==
                  "demo: seeded blocked_cis (8), blocked_gtin (2), blocked_series (1), "
                  "min_price (2); password admin:admin (none configured)");
            CHECK(daemon.stop() == 0);
        }
        // The next start finds the demo's own lists and keeps them.
        DaemonProcess again(demo_args(data, port), port);
        HttpClient client(port);
        CHECK(local_count(client, "blocked_cis") == 8);
        CHECK(blocked(client, kDemoBlocked));
        CHECK(demo_line(again.log()) ==
              "demo: seeded no list; kept blocked_cis (8 items, demo data), blocked_gtin (2 items, "
              "demo data), blocked_series (1 item, demo data), min_price (2 items, demo data); "
              "password admin:admin (none configured)");
    }

    TEST_CASE("10,000 imported CIS stay; only the empty lists are seeded; the log says which") {
        TempDir dir;
        const std::string data = (dir.path() / "data").string();
        import_cis(data, 10'000);
        const auto port = free_port();
        const std::string expected =
            "demo: seeded blocked_gtin (2), blocked_series (1), min_price (2); kept blocked_cis "
            "(10000 items, not demo data); password admin:admin (none configured)";
        {
            DaemonProcess daemon(demo_args(data, port), port);
            HttpClient client(port);
            CHECK(local_count(client, "blocked_cis") == 10'000);
            // The imported list, not the demo's: a demo-blocked code passes, imported ones do not.
            CHECK_FALSE(blocked(client, kDemoBlocked));
            CHECK(blocked(client, imported_code(0)));
            CHECK(blocked(client, imported_code(9'999)));
            // The empty lists got the demo's items.
            CHECK(local_count(client, "blocked_gtin") == 2);
            CHECK(local_count(client, "blocked_series") == 1);
            CHECK(local_count(client, "min_price") == 2);
            CHECK(local_count(client, "learned") == 0);
            CHECK(blocked(client, kDemoGtinBlocked));
            CHECK(std::string(parse(client.get("/api/v1/status").body)["status"].GetString()) ==
                  "ready");
            CHECK(demo_line(daemon.log()) == expected);
            CHECK(daemon.stop() == 0);
        }
        // Again: nothing left to seed, everything kept, the imported list still whole.
        DaemonProcess again(demo_args(data, port), port);
        HttpClient client(port);
        CHECK(local_count(client, "blocked_cis") == 10'000);
        CHECK_FALSE(blocked(client, kDemoBlocked));
        CHECK(demo_line(again.log()) ==
              "demo: seeded no list; kept blocked_cis (10000 items, not demo data), blocked_gtin "
              "(2 items, demo data), blocked_series (1 item, demo data), min_price (2 items, demo "
              "data); password admin:admin (none configured)");
    }

    TEST_CASE("a list emptied by hand is seeded again; a changed one is not demo data") {
        TempDir dir;
        const std::string data = (dir.path() / "data").string();
        const auto port = free_port();
        {
            DaemonProcess daemon(demo_args(data, port), port);
            CHECK(daemon.stop() == 0);
        }
        // min_price replaced by an empty import, blocked_gtin by one GTIN of the shop's own.
        REQUIRE(run_piotd({"import", "--data-dir", data, "--list", "min_price", "-"}, {}, "")
                    .exit_code == 0);
        REQUIRE(run_piotd({"import", "--data-dir", data, "--list", "blocked_gtin", "-"}, {},
                          "04600000000048\n")
                    .exit_code == 0);
        DaemonProcess daemon(demo_args(data, port), port);
        HttpClient client(port);
        CHECK(local_count(client, "min_price") == 2);
        CHECK(local_count(client, "blocked_gtin") == 1);
        CHECK_FALSE(blocked(client, kDemoGtinBlocked));
        CHECK(demo_line(daemon.log()) ==
              "demo: seeded min_price (2); kept blocked_cis (8 items, demo data), blocked_gtin "
              "(1 item, not demo data), blocked_series (1 item, demo data); password admin:admin "
              "(none configured)");
    }

    TEST_CASE("a password from the config file is kept: admin:admin is refused") {
        TempDir dir;
        const auto port = free_port();
        const auto config = dir.path() / "piotd.conf";
        std::ofstream(config) << "[auth]\npassword = s3cret\n";
        DaemonProcess daemon(
            {"--demo", "--config", config.string(), "--data-dir", (dir.path() / "data").string(),
             "--listen", "127.0.0.1:" + std::to_string(port)},
            port);
        // Checked on a route that always wants credentials (the status may answer without).
        const std::string check = "/api/v1/cis/check?cis=" + kAllowed;
        CHECK(HttpClient(port, "admin", "admin").get(check).status == 401);
        HttpClient configured(port, "admin", "s3cret");
        CHECK(configured.get(check).status == 200);
        CHECK(configured.get("/api/v1/status").status == 200);
        CHECK(blocked(configured, kDemoBlocked));
        const std::string line = demo_line(daemon.log());
        CHECK_MESSAGE(contains(line, "; password from the config file"), line);
        CHECK(daemon.log().find("s3cret") == std::string::npos);
    }

    TEST_CASE("PIOTD_PASSWORD is kept, over the config file's") {
        TempDir dir;
        const auto port = free_port();
        const auto config = dir.path() / "piotd.conf";
        std::ofstream(config) << "[auth]\npassword = s3cret\n";
        DaemonProcess daemon(
            {"--demo", "--config", config.string(), "--data-dir", (dir.path() / "data").string(),
             "--listen", "127.0.0.1:" + std::to_string(port)},
            port, {{"PIOTD_PASSWORD", "from-env"}});
        const std::string check = "/api/v1/cis/check?cis=" + kAllowed;
        CHECK(HttpClient(port, "admin", "admin").get(check).status == 401);
        CHECK(HttpClient(port, "admin", "s3cret").get(check).status == 401);
        CHECK(HttpClient(port, "admin", "from-env").get(check).status == 200);
        const std::string line = demo_line(daemon.log());
        CHECK_MESSAGE(contains(line, "; password from PIOTD_PASSWORD"), line);
    }
}
