// piotctl's view of the local module: the lines of `status` and the finding of `doctor`, fed the
// localModule object exactly as the daemon writes it (write_lm_mirror).
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>

#include "ctl/local_module_report.hpp"
#include "daemon/lm_upstream/lm_mirror_json.hpp"
#include "daemon/status/html_text.hpp"

using namespace piotd::ctl;
using piotd::daemon::LmMirror;
using Level = LocalModuleFinding::Level;

namespace {

constexpr std::int64_t kNow = 1'795'000'000'000;
constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kMinute = 60'000;

LmMirror ready_lm(std::int64_t sync_age_ms) {
    LmMirror lm;
    lm.url = "http://lm.store:5995";
    lm.api_version = "2";
    lm.reachable = true;
    piotd::protocol::LmClientStatus status;
    status.status = "ready";
    status.inst = "b8a1d1a0-lm";
    status.version = "2.1.8";
    status.last_sync_ms = kNow - sync_age_ms;
    lm.status = status;
    lm.checks_answered = 120;
    lm.checks_failed = 3;
    lm.checks_skipped = 4;
    return lm;
}

// The mirror through the daemon's writer and back, as piotctl reads it.
struct Json {
    rapidjson::Document doc;
    explicit Json(const LmMirror& lm) {
        piotd::protocol::JsonBuffer buffer;
        piotd::protocol::JsonWriter writer(buffer);
        piotd::daemon::write_lm_mirror(writer, lm);
        doc.Parse(buffer.GetString(), buffer.GetSize());
        REQUIRE(!doc.HasParseError());
    }
};

std::string lines(const LmMirror& lm) {
    const Json json(lm);
    return local_module_status_lines(json.doc, kNow);
}

LocalModuleFinding finding(const LmMirror& lm) {
    const Json json(lm);
    return local_module_finding(json.doc, kNow);
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_SUITE("ctl.local_module") {
    TEST_CASE("status: url, LM status, version, lastSync age, the 72 h clock, circuit, counters") {
        CHECK(lines(ready_lm(10 * kHour + 48 * kMinute)) ==
              "local module http://lm.store:5995 (API v2): ready, version 2.1.8, inst b8a1d1a0-lm\n"
              "  last sync " +
                  piotd::daemon::format_utc(kNow - 10 * kHour - 48 * kMinute) +
                  " (10 h 48 min ago), sync_error in 61 h 12 min\n"
                  "  circuit closed; checks 120 answered, 3 failed, 4 skipped\n");

        LmMirror down = ready_lm(80 * kHour);
        down.reachable = false;
        down.status->status = "sync_error";
        down.circuit = "open";
        down.circuit_open_until_ms = kNow + 30'000;
        down.last_error = "status: HTTP 502\x1b[31m";
        const std::string text = lines(down);
        CHECK(contains(text, ": unreachable, last status sync_error, version 2.1.8"));
        CHECK(contains(text, " (80 h 0 min ago), 72 h passed 8 h 0 min ago\n"));
        CHECK(contains(
            text, "  circuit open until " + piotd::daemon::format_utc(kNow + 30'000) + "; checks"));
        // The LM's text reaches no terminal escape sequence.
        CHECK(contains(text, "  last error: status: HTTP 502?[31m\n"));

        LmMirror fresh;
        fresh.url = "http://lm.store:5995";
        CHECK(lines(fresh) ==
              "local module http://lm.store:5995: unreachable, no status yet\n"
              "  circuit closed; checks 0 answered, 0 failed, 0 skipped\n");
    }

    TEST_CASE("doctor: ok when reachable, ready and synchronised within a day") {
        const LocalModuleFinding ok = finding(ready_lm(3 * kHour));
        CHECK(ok.level == Level::ok);
        CHECK(ok.message ==
              "http://lm.store:5995 is ready, version 2.1.8, last synchronised 3 h 0 min ago");
        CHECK(ok.fix.empty());
    }

    TEST_CASE("doctor: warns from a day without a sync and while the circuit is not closed") {
        const LocalModuleFinding day = finding(ready_lm(30 * kHour));
        CHECK(day.level == Level::warn);
        CHECK(day.message == "last synchronised 30 h 0 min ago, sync_error in 42 h 0 min");
        CHECK(!day.fix.empty());

        LmMirror open = ready_lm(kHour);
        open.circuit = "half_open";
        const LocalModuleFinding circuit = finding(open);
        CHECK(circuit.level == Level::warn);
        CHECK(contains(circuit.message, "circuit half_open"));

        LmMirror no_sync = ready_lm(kHour);
        no_sync.status->last_sync_ms.reset();
        CHECK(finding(no_sync).level == Level::warn);
    }

    TEST_CASE("doctor: fails when unreachable, not ready, or 72 h without a sync") {
        LmMirror down = ready_lm(kHour);
        down.reachable = false;
        down.last_error = "status: connection refused";
        const LocalModuleFinding unreachable = finding(down);
        CHECK(unreachable.level == Level::fail);
        CHECK(unreachable.message ==
              "http://lm.store:5995 does not answer: status: connection refused");

        LmMirror init = ready_lm(kHour);
        init.status->status = "initialization";
        const LocalModuleFinding not_ready = finding(init);
        CHECK(not_ready.level == Level::fail);
        CHECK(not_ready.message == "the local module is initialization");
        CHECK(contains(not_ready.fix, "wait"));

        // Past 72 h and its circuit open: the failure is what is said.
        LmMirror stale = ready_lm(73 * kHour);
        stale.circuit = "open";
        const LocalModuleFinding old = finding(stale);
        CHECK(old.level == Level::fail);
        CHECK(old.message == "last synchronised 73 h 0 min ago: 72 h passed 1 h 0 min ago");

        LmMirror never;
        never.url = "http://lm.store:5995";
        CHECK(finding(never).level == Level::fail);
    }
}
