// piotd in front of a real local module (docs/local-module.md): the real daemon against the fake
// LM (tests/fakes/fake_local_module.cpp). The LM's verdict and identity in every offline answer
// (tag 1265, the ТС ПИоТ API), piotd's own lists on top, v1/v2 detection, credentials, the
// status mirror, every way the LM fails (not ready, hanging, garbage, refusing, killed) with the
// answer still coming, the circuit, and sales relayed to the LM.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "protocol/text/base64.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/fake_local_module_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/image_fixtures.hpp"
#include "tests/support/json_answer.hpp"

using namespace piotd::test;

namespace {

constexpr const char* kFakeInst = kFakeLmInst;
// Not on the demo lists, not on the LM's unless a test blocks it.
constexpr const char* kFreeCode = "0104603586014674215012516137746";
// On piotd's demo black list (the sandbox's, lm-api.md Appendix A).
constexpr const char* kDemoBlocked = "0104850013000162215!!Y!BsOtaR_n";

using FakeLm = FakeLocalModule;

// piotd with the demo lists, no True API (every check goes offline at once), in front of `lm`.
struct Till {
    TempDir dir;
    unsigned short port = free_port();
    unsigned short piot_port = free_port();
    std::unique_ptr<DaemonProcess> process;

    Till(const std::string& lm_url, std::vector<std::string> extra = {},
         std::map<std::string, std::string> env = {}) {
        std::vector<std::string> args = {"--demo",
                                         "--data-dir",
                                         (dir.path() / "data").string(),
                                         "--listen",
                                         "127.0.0.1:" + std::to_string(port),
                                         "--piot-listen",
                                         "127.0.0.1:" + std::to_string(piot_port),
                                         "--true-api",
                                         "",
                                         "--local-module",
                                         lm_url};
        args.insert(args.end(), extra.begin(), extra.end());
        process = std::make_unique<DaemonProcess>(args, port, env);
    }

    rapidjson::Document status() const {
        HttpClient client(port);
        return parse(client.get("/api/v1/status").body);
    }
    // Waits until piotd's mirror shows the LM in `lm_status`.
    void wait_for_lm(const std::string& lm_status) const {
        std::string last;
        const bool seen = eventually([&] {
            const auto document = status();
            if (!document.HasMember("localModule")) return false;
            last = str(document["localModule"]["status"]);
            return last == lm_status;
        });
        REQUIRE_MESSAGE(seen, "localModule.status stayed " << last);
    }
    HttpReply check(const std::string& code, std::int64_t price = 10'000) const {
        HttpClient client(port);
        return client.post("/api/v1/piot/check", R"({"items":[{"code":")" + code + R"(","price":)" +
                                                     std::to_string(price) + R"(,"quantity":1}]})");
    }
};

std::string member(const rapidjson::Value& object, const char* key) {
    return object.IsObject() && object.HasMember(key) ? str(object[key]) : "<absent>";
}

std::string tag1265(const rapidjson::Value& item) {
    return item["tag1260"].IsObject() ? str(item["tag1260"]["1265"]) : "";
}

}  // namespace

TEST_SUITE("integration.local_module") {
    TEST_CASE("offline verdicts come from a v2 LM, with its reqId, reqTimestamp, inst, version") {
        FakeLm lm;
        lm.block("0104603586014674215012516137747");
        lm.control("code",
                   R"({"cis":")" + std::string(kFreeCode) + R"(","fields":{"vendorNote":"x"}})");
        Till till(lm.url(), {"--fiscal-drive", "7284440700391860"});
        till.wait_for_lm("ready");

        const HttpReply reply = till.check(kFreeCode);
        REQUIRE_MESSAGE(reply.status == 200, reply.body);
        const auto answer = parse(reply.body);
        const auto& item = answer["items"][0];
        CHECK(str(item["source"]) == "lm");
        CHECK(item["isSaleAllowed"].GetBool());
        // The LM's identity, verbatim, in the answer and in tag 1265 (lm-api.md §8).
        const std::string req_id = str(answer["reqId"]);
        const std::int64_t req_timestamp = answer["reqTimestamp"].GetInt64();
        CHECK(req_id.size() == 36);
        CHECK(str(answer["inst"]) == kFakeInst);
        CHECK(str(answer["version"]) == "2.5.1-2");
        CHECK(tag1265(item) == "UUID=" + req_id + "&Time=" + std::to_string(req_timestamp) +
                                   "&Inst=" + kFakeInst + "&Ver=2.5.1-2");
        // A field piotd does not model passes through.
        CHECK(str(item["upstream"]["vendorNote"]) == "x");
        // The LM was asked with the КИ, and X-ClientId is the fiscal drive (lm-api.md §2.1).
        const auto stats = lm.stats();
        REQUIRE(stats["clientIds"].Size() == 1);
        CHECK(str(stats["clientIds"][0]) == "7284440700391860");
        REQUIRE(stats["checkedCodes"].Size() >= 1);
        CHECK(str(stats["checkedCodes"][stats["checkedCodes"].Size() - 1]) == kFreeCode);

        // Every check is the LM's own: two checks, two reqIds.
        const auto again = parse(till.check(kFreeCode).body);
        CHECK(str(again["reqId"]) != req_id);
        // The code's newest upstream verdict is kept in LMDB (the journal writes it after the
        // answer).
        HttpClient client(till.port);
        CHECK(eventually([&] {
            const HttpReply kept = client.get(std::string("/api/v1/verdict?cis=") + kFreeCode);
            if (kept.status != 200) return false;
            const auto verdict = parse(kept.body);
            return str(verdict["source"]) == "lm" && str(verdict["reqId"]) == str(again["reqId"]);
        }));
        CHECK(client.get("/api/v1/verdict?cis=0104603586014674215012516137740").status == 404);
        for (const char* bad :
             {"/api/v1/verdict", "/api/v1/verdict?cis=", "/api/v1/verdict?cis=%zz",
              "/api/v1/verdict?cis=%00%01", "/api/v1/verdict?cis=**"}) {
            CAPTURE(bad);
            const HttpReply refused = client.get(bad);
            CHECK(refused.status == 400);
            CHECK(parse(refused.body).HasMember("errorCode"));
        }

        const auto blocked = parse(till.check("0104603586014674215012516137747").body);
        CHECK(str(blocked["items"][0]["source"]) == "lm");
        CHECK_FALSE(blocked["items"][0]["isSaleAllowed"].GetBool());
        CHECK(str(blocked["items"][0]["reasons"][0]["code"]) == "blocked");
    }

    TEST_CASE("piotd's own lists apply on top of the LM, and their refusal is named") {
        FakeLm lm;
        Till till(lm.url());
        till.wait_for_lm("ready");
        const auto answer = parse(till.check(kDemoBlocked).body);
        const auto& item = answer["items"][0];
        CHECK(str(item["source"]) == "lm");
        CHECK_FALSE(item["isSaleAllowed"].GetBool());
        std::vector<std::string> reasons;
        for (const auto& reason : item["reasons"].GetArray())
            reasons.push_back(str(reason["code"]));
        CHECK(reasons == std::vector<std::string>{"blocked", "own_list"});
        CHECK_FALSE(item["upstream"]["isBlocked"].GetBool());  // the LM's own answer
    }

    TEST_CASE("a v1 LM is detected; localModule mirrors its status") {
        FakeLm lm({"--api", "1"});
        Till till(lm.url());
        till.wait_for_lm("ready");
        const auto status = till.status();
        const auto& mirror = status["localModule"];
        CHECK(str(mirror["apiVersion"]) == "1");
        CHECK(str(mirror["url"]) == lm.url());
        CHECK(mirror["reachable"].GetBool());
        CHECK(str(mirror["inst"]) == kFakeInst);
        CHECK(str(mirror["version"]) == "1.5.1-523");
        CHECK(mirror["lastSync"].IsInt64());
        CHECK(mirror["checkedAt"].GetInt64() > 0);
        CHECK(mirror.HasMember("replicationStatus"));

        // The same, as operations see it: the status page, /metrics, piotctl status and doctor.
        HttpClient client(till.port);
        CHECK(client.get("/").body.find("id=\"local-module\"") != std::string::npos);
        const std::string metrics = client.get("/metrics").body;
        CHECK(metrics.find("piotd_local_module_up 1") != std::string::npos);
        CHECK(metrics.find("piotd_local_module_ready 1") != std::string::npos);
        const std::string url = "http://127.0.0.1:" + std::to_string(till.port);
        const RunResult ctl_status =
            run_program(PIOTCTL_BINARY, {"--url", url, "status"}, {{"PIOTD_PASSWORD", "admin"}});
        CHECK_MESSAGE(ctl_status.output.find("local module " + lm.url()) != std::string::npos,
                      ctl_status.output);
        const RunResult doctor =
            run_program(PIOTCTL_BINARY, {"--url", url, "doctor"}, {{"PIOTD_PASSWORD", "admin"}});
        CHECK_MESSAGE(doctor.output.find("local module") != std::string::npos, doctor.output);
        const auto answer = parse(till.check(kFreeCode).body);
        CHECK(str(answer["items"][0]["source"]) == "lm");
        CHECK(str(answer["version"]) == "1.5.1-523");
    }

    TEST_CASE("the LM's credentials come from PIOTD_LM_USER and PIOTD_LM_PASSWORD") {
        FakeLm lm({"--user", "lmuser", "--password", "s3cret"});
        {
            Till till(lm.url(), {}, {{"PIOTD_LM_USER", "lmuser"}, {"PIOTD_LM_PASSWORD", "s3cret"}});
            till.wait_for_lm("ready");
            CHECK(str(parse(till.check(kFreeCode).body)["items"][0]["source"]) == "lm");
        }
        Till wrong(lm.url(), {}, {{"PIOTD_LM_USER", "lmuser"}, {"PIOTD_LM_PASSWORD", "wrong"}});
        std::string error;
        CHECK(eventually([&] {
            const auto status = wrong.status();
            error = str(status["localModule"]["lastError"]);
            return error.find("401") != std::string::npos;
        }));
        const auto answer = parse(wrong.check(kFreeCode).body);
        CHECK(str(answer["items"][0]["source"]) == "offline");
        CHECK(answer.HasMember("lmFailure"));
    }

    TEST_CASE("an LM that is not ready: piotd's lists answer, marked, with no tag 1260") {
        FakeLm lm({"--status", "initialization"});
        Till till(lm.url());
        till.wait_for_lm("initialization");
        auto answer = parse(till.check(kFreeCode).body);
        const auto& item = answer["items"][0];
        CHECK(str(item["source"]) == "offline");
        CHECK(item["isSaleAllowed"].GetBool());
        CHECK(item["tag1260"].IsNull());  // local_module.on_failure = no_tag (the default)
        CHECK(member(answer, "lmFailureKind") == "not_ready");
        // A refusal by piotd's lists still refuses.
        answer = parse(till.check(kDemoBlocked).body);
        CHECK_FALSE(answer["items"][0]["isSaleAllowed"].GetBool());

        // The ТС ПИоТ API: nothing valid to put in 1260, so emergency mode (203).
        HttpClient piot(till.piot_port);
        const std::string body =
            R"({"codes":[")" + piotd::protocol::base64_encode(kFreeCode) + R"("]})";
        CHECK(piot.request("POST", "/api/v2/codes/check", body, "",
                           {{"Content-Type", "application/json"}})
                  .status == 203);

        lm.control("status", R"({"status":"ready"})");
        till.wait_for_lm("ready");
        CHECK(str(parse(till.check(kFreeCode).body)["items"][0]["source"]) == "lm");
    }

    TEST_CASE("an LM out of sync for 72 h is not used") {
        FakeLm lm;
        const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        lm.control("status", R"({"lastSync":)" + std::to_string(now - 73LL * 3600 * 1000) + "}");
        Till till(lm.url());
        till.wait_for_lm("ready");
        const auto answer = parse(till.check(kFreeCode).body);
        CHECK(str(answer["items"][0]["source"]) == "offline");
        CHECK(member(answer, "lmFailureKind") == "out_of_sync");
    }

    TEST_CASE("on_failure = own and deny") {
        FakeLm lm({"--status", "sync_error"});
        TempDir config_dir;
        const auto write_config = [&](const std::string& policy) {
            const auto file = config_dir.path() / (policy + ".conf");
            std::FILE* out = std::fopen(file.c_str(), "w");
            REQUIRE(out != nullptr);
            std::fprintf(out, "[local_module]\non_failure = %s\npoll_period_ms = 200\n",
                         policy.c_str());
            std::fclose(out);
            return file.string();
        };
        {
            Till till(lm.url(), {"--config", write_config("own")});
            till.wait_for_lm("sync_error");
            const auto answer = parse(till.check(kFreeCode).body);
            CHECK(str(answer["items"][0]["source"]) == "offline");
            CHECK(member(answer, "lmFailureKind") == "out_of_sync");
            CHECK(tag1265(answer["items"][0]).find("&Inst=") != std::string::npos);
        }
        Till till(lm.url(), {"--config", write_config("deny")});
        till.wait_for_lm("sync_error");
        const auto answer = parse(till.check(kFreeCode).body);
        CHECK_FALSE(answer["items"][0]["isSaleAllowed"].GetBool());
        CHECK(str(answer["items"][0]["reasons"][0]["code"]) == "lm_unavailable");
    }

    TEST_CASE("a hanging LM: every answer comes, and once the circuit opens the LM is skipped") {
        FakeLm lm;
        Till till(lm.url());
        till.wait_for_lm("ready");
        lm.fault(R"({"mode":"hang","paths":"check"})");
        std::vector<std::string> kinds;
        for (int i = 0; i < 6; ++i) {
            const auto started = std::chrono::steady_clock::now();
            const HttpReply reply = till.check(kFreeCode);
            const auto took = std::chrono::steady_clock::now() - started;
            REQUIRE_MESSAGE(reply.status == 200, reply.body);
            const auto answer = parse(reply.body);
            CHECK(str(answer["items"][0]["source"]) == "offline");
            kinds.push_back(member(answer, "lmFailureKind"));
            // Not a speed figure (bench/README.md has those): a hang must not hold the POS.
            CHECK(took < std::chrono::seconds(10));
        }
        CHECK(kinds.front() == "timeout");
        CHECK(kinds.back() == "circuit_open");
        const auto status = till.status();
        CHECK(str(status["localModule"]["circuit"]) != "closed");

        // The LM recovers: a probe after the open time closes the circuit again.
        lm.fault(R"({"mode":"none"})");
        CHECK(eventually(
            [&] { return str(parse(till.check(kFreeCode).body)["items"][0]["source"]) == "lm"; }));
    }

    TEST_CASE("garbage, dropped connections and HTTP 500 from the LM are failures, not answers") {
        FakeLm lm;
        Till till(lm.url(), {}, {});
        till.wait_for_lm("ready");
        // Until cleared: a dropped keep-alive connection is retried once on a fresh one, which
        // must fail too.
        const std::pair<const char*, const char*> faults[] = {
            {R"({"mode":"garbage","paths":"check"})", "protocol"},
            {R"({"mode":"drop","paths":"check"})", "network"},
            {R"({"mode":"status","status":500,"paths":"check"})", "http"},
        };
        for (const auto& [fault, kind] : faults) {
            CAPTURE(fault);
            lm.fault(fault);
            const auto answer = parse(till.check(kFreeCode).body);
            lm.fault(R"({"mode":"none"})");
            CHECK(str(answer["items"][0]["source"]) == "offline");
            CHECK(member(answer, "lmFailureKind") == kind);
        }
    }

    TEST_CASE("kill -9 of the LM mid-check, and of piotd mid-check") {
        FakeLm lm;
        auto till = std::make_unique<Till>(lm.url());
        till->wait_for_lm("ready");
        lm.fault(R"({"mode":"slow","delay_ms":5000,"paths":"check"})");
        std::thread killer([&] {
            eventually([&] { return lm.stats()["requests"]["check"].GetUint64() >= 1; });
            lm.process->kill_hard();
        });
        const auto answer = parse(till->check(kFreeCode).body);
        killer.join();
        CHECK(str(answer["items"][0]["source"]) == "offline");

        // The LM comes back on the same port: piotd uses it again.
        lm.start();
        CHECK(eventually(
            [&] { return str(parse(till->check(kFreeCode).body)["items"][0]["source"]) == "lm"; }));

        // piotd killed while the LM holds its check: the next piotd starts and answers.
        lm.control("stats/reset");
        lm.fault(R"({"mode":"hang","paths":"check"})");
        std::thread client([port = till->port] {
            try {
                HttpClient client(port);
                client.post("/api/v1/piot/check",
                            R"({"items":[{"code":")" + std::string(kFreeCode) + R"("}]})");
            } catch (const std::exception&) {
                // Expected: piotd is killed while this request waits.
            }
        });
        eventually([&] { return lm.stats()["requests"]["check"].GetUint64() >= 1; });
        till->process->kill_hard();
        client.join();
        lm.fault(R"({"mode":"none"})");
        till = std::make_unique<Till>(lm.url());
        till->wait_for_lm("ready");
        CHECK(str(parse(till->check(kFreeCode).body)["items"][0]["source"]) == "lm");
    }

    TEST_CASE("the LM API's checks answer with the LM's answer, piotd's own blocks on top") {
        FakeLm lm;
        lm.control("code",
                   R"({"cis":")" + std::string(kFreeCode) + R"(","fields":{"vendorNote":"x"}})");
        Till till(lm.url());
        till.wait_for_lm("ready");
        HttpClient client(till.port);

        // GET (flat), v1 deprecated check: the LM's identity and fields, verbatim.
        auto reply = client.get(std::string("/api/v1/cis/check?cis=") + kFreeCode);
        REQUIRE_MESSAGE(reply.status == 200, reply.body);
        auto answer = parse(reply.body);
        CHECK(str(answer["inst"]) == kFakeInst);
        CHECK(str(answer["version"]) == "2.5.1-2");
        CHECK(str(answer["reqId"]).size() == 36);
        CHECK(str(answer["codes"][0]["vendorNote"]) == "x");
        CHECK_FALSE(answer["codes"][0]["isBlocked"].GetBool());

        // POST v2 with two codes, one on piotd's own list only.
        reply = client.post("/api/v2/cis/outCheck",
                            R"({"cis_list":[{"cis":")" + std::string(kFreeCode) +
                                R"(","pg":8},{"cis":"0104850013000162215!!Y!BsOtaR_n"}]})");
        REQUIRE_MESSAGE(reply.status == 200, reply.body);
        answer = parse(reply.body);
        const auto& result = answer["results"][0];
        CHECK(str(result["inst"]) == kFakeInst);
        REQUIRE(result["codes"].Size() == 2);
        CHECK_FALSE(result["codes"][0]["isBlocked"].GetBool());
        CHECK(result["codes"][1]["isBlocked"].GetBool());
        CHECK(str(result["codes"][1]["blockedBy"]) == "own_list");

        // The LM fails: piotd's own lists answer, with piotd's identity.
        lm.fault(R"({"mode":"status","status":500,"paths":"check"})");
        reply = client.get(std::string("/api/v1/cis/outCheck?cis=") + kFreeCode);
        REQUIRE_MESSAGE(reply.status == 200, reply.body);
        CHECK(str(parse(reply.body)["inst"]) != kFakeInst);
    }

    TEST_CASE("a till with no lists of its own answers the LM API from the LM alone") {
        FakeLm lm({"--status", "initialization"});
        TempDir dir;
        const unsigned short port = free_port();
        DaemonProcess till({"--data-dir", (dir.path() / "data").string(), "--listen",
                            "127.0.0.1:" + std::to_string(port), "--piot-listen", "", "--true-api",
                            "", "--local-module", lm.url()},
                           port, {{"PIOTD_PASSWORD", "admin"}});
        HttpClient client(port);
        // The LM is initialising and piotd has no lists: the LM API's not-ready error.
        CHECK(eventually([&] {
            return client.get(std::string("/api/v1/cis/check?cis=") + kFreeCode).status == 400;
        }));
        lm.control("status", R"({"status":"ready"})");
        CHECK(eventually([&] {
            const auto reply = client.get(std::string("/api/v1/cis/check?cis=") + kFreeCode);
            return reply.status == 200 && str(parse(reply.body)["inst"]) == kFakeInst;
        }));
    }

    TEST_CASE("scan-ahead: an LM-API check readies the sale's verdict, used by one sale only") {
        FakeLm lm;
        Till till(lm.url());
        till.wait_for_lm("ready");
        const auto checks_of = [&](const std::string& code) {
            const auto stats = lm.stats();
            std::size_t count = 0;
            for (const auto& seen : stats["checkedCodes"].GetArray()) count += str(seen) == code;
            return count;
        };
        HttpClient client(till.port);
        REQUIRE(client.get(std::string("/api/v1/cis/check?cis=") + kFreeCode).status == 200);
        // The LM-API answer, then the check ahead in the background: the LM asked twice.
        REQUIRE(eventually([&] { return checks_of(kFreeCode) == 2; }));

        auto answer = parse(till.check(kFreeCode).body);
        CHECK(str(answer["items"][0]["source"]) == "lm");
        CHECK(answer.HasMember("checkedAhead"));
        CHECK(checks_of(kFreeCode) == 2);  // answered without asking the LM
        const std::string ahead_req_id = str(answer["reqId"]);
        CHECK(tag1265(answer["items"][0]).find("UUID=" + ahead_req_id) == 0);

        // The next sale of the same code is checked afresh: its own reqId.
        answer = parse(till.check(kFreeCode).body);
        CHECK_FALSE(answer.HasMember("checkedAhead"));
        CHECK(str(answer["reqId"]) != ahead_req_id);
        CHECK(checks_of(kFreeCode) == 3);
    }

    TEST_CASE("scan-ahead: a code found in an image is checked before the POS asks") {
        FakeLm lm;
        Till till(lm.url());
        till.wait_for_lm("ready");
        const std::string code = "0104603586014674215012516137749";
        const std::string png = encode_png(datamatrix_image(code));
        HttpClient client(till.port);
        const HttpReply scanned =
            client.request("POST", "/api/v1/scan/image", png, "-", {{"Content-Type", "image/png"}});
        REQUIRE_MESSAGE(scanned.status == 200, scanned.body);
        const auto answer = parse(till.check(code).body);
        CHECK(str(answer["items"][0]["source"]) == "lm");
        CHECK(answer.HasMember("checkedAhead"));
        // The image's check asked the LM; the sale's did not.
        CHECK(lm.stats()["requests"]["check"].GetUint64() == 1);
    }

    TEST_CASE("blocks the LM reports are learned: piotd's own lists know them when the LM fails") {
        FakeLm lm;
        const std::string by_lm_api = "0104603586014674215012516137751";
        const std::string by_chain = "0104603586014674215012516137752";
        lm.block(by_lm_api);
        lm.block(by_chain);
        Till till(lm.url());
        till.wait_for_lm("ready");
        HttpClient client(till.port);
        REQUIRE(client.get("/api/v1/cis/check?cis=" + by_lm_api).status == 200);
        CHECK_FALSE(parse(till.check(by_chain).body)["items"][0]["isSaleAllowed"].GetBool());

        // The LM fails: piotd's own lists answer, and they have learned both blocks.
        lm.fault(R"({"mode":"status","status":500,"paths":"check"})");
        CHECK(eventually([&] {
            const auto answer = parse(client.get("/api/v1/cis/check?cis=" + by_lm_api).body);
            return str(answer["inst"]) != kFakeInst && answer["codes"][0]["isBlocked"].GetBool();
        }));
        const auto answer = parse(till.check(by_chain).body);
        CHECK(str(answer["items"][0]["source"]) == "offline");
        CHECK_FALSE(answer["items"][0]["isSaleAllowed"].GetBool());
        // A code the LM allowed is not learned.
        const auto free = parse(client.get(std::string("/api/v1/cis/check?cis=") + kFreeCode).body);
        CHECK_FALSE(free["codes"][0]["isBlocked"].GetBool());

        // CRPT unblocks it: once the LM answers again, its answer decides, not what was learned.
        lm.fault(R"({"mode":"none"})");
        lm.control("unblock?kind=cis", by_chain + "\n");
        CHECK(eventually([&] {
            const auto again = parse(till.check(by_chain).body);
            return str(again["items"][0]["source"]) == "lm" &&
                   again["items"][0]["isSaleAllowed"].GetBool();
        }));
    }

    TEST_CASE("ТС ПИоТ answers carry isCheckedOffline and the LM's identity") {
        FakeLm lm;
        Till till(lm.url());
        till.wait_for_lm("ready");
        HttpClient piot(till.piot_port);
        const std::string body =
            R"({"codes":[")" + piotd::protocol::base64_encode(kFreeCode) + R"("]})";
        const HttpReply reply = piot.request("POST", "/api/v2/codes/check", body, "",
                                             {{"Content-Type", "application/json"}});
        REQUIRE_MESSAGE(reply.status == 200, reply.body);
        const auto answer = parse(reply.body);
        const auto& response = answer["codesResponse"][0];
        CHECK(response["isCheckedOffline"].GetBool());
        CHECK(str(response["inst"]) == kFakeInst);
        CHECK(str(response["version"]) == "2.5.1-2");
        CHECK(str(response["reqId"]).size() == 36);
    }

    TEST_CASE("with --local-module and no --relay, sales and returns go to that LM") {
        FakeLm lm;
        Till till(lm.url());
        HttpClient client(till.port);
        const std::string cis = "0104603586014674215012516137748";
        const HttpReply sold =
            client.post("/api/v2/cis/sell", R"({"cis_list":[")" + cis + R"("]})");
        REQUIRE_MESSAGE(sold.status / 100 == 2, sold.body);
        CHECK(eventually([&] {
            const auto stats = lm.stats();
            for (const auto& code : stats["sold"].GetArray()) {
                if (str(code) == cis) return true;
            }
            return false;
        }));
    }
}
