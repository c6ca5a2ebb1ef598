// Roles against the real daemon (issue 22 item 11): each credential is refused, with 403, what
// its role may not do, and a till replicates from its store with a `replica` credential that
// could not init the store, sell there, or retry its outbox.
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/support/configured_daemon.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/json_answer.hpp"

using namespace piotd::test;

namespace {

const std::string kCode = "0104603586014674215012516137753";

// A demo piotd with a pos and a replica credential besides admin's (admin:admin).
struct Store : ConfiguredDaemon {
    Store()
        : ConfiguredDaemon(
              "[auth]\npos_user = kassa\npos_password = p0s\n"
              "replica_password = r3plica\n") {}
};

struct Call {
    const char* method;
    std::string target;
    std::string body;
};

int status_as(unsigned short port, const std::string& user, const std::string& password,
              const Call& call) {
    HttpClient client(port, user, password);
    return client
        .request(call.method, call.target, call.body, "-", {{"Content-Type", "application/json"}})
        .status;
}

}  // namespace

TEST_SUITE("integration.hostile") {
    TEST_CASE("each role is refused what it may not do, with 403 and its name") {
        Store store;
        const std::string sell = R"({"cis_list":[")" + kCode + R"("]})";
        const Call check{"GET", "/api/v1/cis/check?cis=" + kCode, {}};
        const Call status{"GET", "/api/v1/status", {}};
        const Call init{"POST", "/api/v1/init", R"({"token":"stolen"})"};
        const Call snapshot{"GET", "/api/v1/replication/snapshot?list=blocked_gtin", {}};
        const Call state{"GET", "/api/v1/replication/state", {}};
        const Call sync{"POST", "/api/v1/replication/sync", {}};
        const Call retry{"POST", "/api/v1/outbox/1/retry", {}};
        const Call metrics{"GET", "/metrics", {}};
        const Call page{"GET", "/api/v1/status/page", {}};
        const Call sold{"GET", "/api/v2/cis/sold?cis=" + kCode, {}};

        // pos: checks, status, the page, sales; not init, replication, outbox retry, metrics.
        const auto pos = [&](const Call& call) {
            return status_as(store.port, "kassa", "p0s", call);
        };
        CHECK(pos(check) == 200);
        CHECK(pos(status) == 200);
        CHECK(pos(page) == 200);
        CHECK(pos(sold) == 200);
        CHECK(pos(init) == 403);
        CHECK(pos(snapshot) == 403);
        CHECK(pos(state) == 403);
        CHECK(pos(sync) == 403);
        CHECK(pos(retry) == 403);
        CHECK(pos(metrics) == 403);
        HttpClient as_pos(store.port, "kassa", "p0s");
        const auto refused = as_pos.request("POST", "/api/v1/init", init.body, "-",
                                            {{"Content-Type", "application/json"}});
        CHECK(refused.body.find("\"errorCode\":4031") != std::string::npos);
        CHECK(refused.body.find("pos credential") != std::string::npos);

        // replica: replication reads and document intake; not checks, init, page, retry.
        const auto replica = [&](const Call& call) {
            return status_as(store.port, "replica", "r3plica", call);
        };
        CHECK(replica(snapshot) == 200);
        CHECK(replica(state) == 200);
        CHECK(replica(status) == 200);
        CHECK(replica(check) == 403);
        CHECK(replica(init) == 403);
        CHECK(replica(page) == 403);
        CHECK(replica(retry) == 403);
        CHECK(replica(sync) == 403);
        CHECK(replica(metrics) == 403);

        // Neither changed anything: the code is unsold; then the pos sells it, as the POS does.
        CHECK(parse(as_pos.get("/api/v2/cis/outCheck?cis=" + kCode).body)["codes"][0]["sold"]
                  .GetBool() == false);
        CHECK(status_as(store.port, "kassa", "p0s", Call{"POST", "/api/v2/cis/sell", sell}) == 201);

        // admin: everything; a wrong password of any role: 401.
        const auto admin = [&](const Call& call) {
            return status_as(store.port, "admin", "admin", call);
        };
        CHECK(admin(snapshot) == 200);
        CHECK(admin(page) == 200);
        CHECK(admin(metrics) == 200);
        CHECK(status_as(store.port, "kassa", "wrong", check) == 401);
        CHECK(status_as(store.port, "replica", "p0s", snapshot) == 401);
        CHECK(store.process.running());
    }

    TEST_CASE("a till replicates from its store with a replica credential") {
        Store store;
        TempDir till_dir;
        const auto till_port = free_port();
        DaemonProcess till({"--data-dir", (till_dir.path() / "data").string(), "--listen",
                            "127.0.0.1:" + std::to_string(till_port), "--upstream",
                            "http://127.0.0.1:" + std::to_string(store.port), "--sync-period", "1"},
                           till_port,
                           {{"PIOTD_PASSWORD", "till"},
                            {"PIOTD_UPSTREAM_USER", "replica"},
                            {"PIOTD_UPSTREAM_PASSWORD", "r3plica"}});
        HttpClient client(till_port, "admin", "till");
        CHECK(eventually([&] {
            return parse(client.get("/api/v1/status").body)["status"].GetString() ==
                   std::string("ready");
        }));
        // The store's demo lists arrived: a code blocked there is blocked on the till.
        const auto check =
            parse(client.get("/api/v1/cis/check?cis=0104670019034189215HDGZDLEP8ZXt").body);
        CHECK(check["codes"][0]["isBlocked"].GetBool());
    }

    TEST_CASE("two roles with one credential: piotd refuses to start, and says why") {
        TempDir dir;
        const auto config = dir.path() / "piotd.conf";
        std::ofstream(config) << "[auth]\npassword = same\npos_user = admin\npos_password = same\n";
        const RunResult result =
            run_piotd({"--config", config.string(), "--data-dir", (dir.path() / "data").string(),
                       "--listen", "127.0.0.1:" + std::to_string(free_port())});
        CHECK(result.exit_code == 1);
        CHECK(result.output.find("the pos credential is the same as the admin's") !=
              std::string::npos);
    }
}
