// The status page's pure parts: escaping, the recent-checks ring, lag history, sparklines, the
// HTML and JSON renderings of a snapshot with hostile text in it.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>

#include "daemon/checks/recent_checks.hpp"
#include "daemon/status/html_text.hpp"
#include "daemon/status/lag_history.hpp"
#include "daemon/status/lm_sync_clock.hpp"
#include "daemon/status/status_page_html.hpp"
#include "daemon/status/status_page_json.hpp"

using namespace piotd::daemon;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

const std::string kHostile = "<script>alert(1)</script>\"'&\x01\xff";

StatusSnapshot hostile_snapshot() {
    StatusSnapshot s;
    s.now_ms = 1'795'000'000'000;
    s.state = piotd::protocol::LmStatus::sync_error;
    s.version = "0.1.0";
    s.inst = "inst-<b>";
    s.name = "piotd <i>";
    ListStatusRow row;
    row.name = "blocked_cis";
    row.local_count = 5;
    row.lag_ms = 90'000;
    row.lag_history = {{1, 1000}, {2, std::nullopt}, {3, 3000}, {4, 2000}};
    s.lists.push_back(row);
    UpstreamHealthSnapshot u;
    u.name = "replication";
    u.url = "http://store:5995/<x>";
    u.last_error_ms = 5;
    u.last_error = kHostile;
    u.consecutive_errors = 2;
    u.errors_by_kind["network"] = 2;
    s.upstreams.push_back(u);
    s.checks = std::vector<CheckRecord>{{10, "local", kHostile, CheckVerdict::invalid_code, 0}};
    return s;
}

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kMinute = 60'000;

// A reachable, ready LM that synchronised `sync_age_ms` before the snapshot's now.
LmMirror ready_lm(std::int64_t now_ms, std::int64_t sync_age_ms) {
    LmMirror lm;
    lm.url = "http://lm.store:5995";
    lm.api_version = "2";
    lm.reachable = true;
    piotd::protocol::LmClientStatus status;
    status.status = "ready";
    status.inst = "b8a1d1a0-lm";
    status.version = "2.1.8";
    status.operation_mode = "active";
    status.last_sync_ms = now_ms - sync_age_ms;
    lm.status = status;
    lm.checked_at_ms = now_ms - 2'000;
    lm.last_ok_ms = now_ms - 2'000;
    lm.checks_answered = 120;
    lm.checks_failed = 3;
    lm.checks_skipped = 4;
    lm.circuit_opened = 1;
    return lm;
}

}  // namespace

TEST_SUITE("daemon.status") {
    TEST_CASE("html_escape: markup characters, control bytes and broken UTF-8") {
        CHECK(html_escape("<a href=\"x\">'&'</a>") ==
              "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        CHECK(html_escape("код 01") == "код 01");
        CHECK(html_escape("a\x01z") == "a\xef\xbf\xbdz");
        CHECK(html_escape("\xff\xd0") == "\xef\xbf\xbd\xef\xbf\xbd");
        CHECK(utf8_sanitized("ок\xc3") == "ок\xef\xbf\xbd");
    }

    TEST_CASE("human forms of times, durations and sizes") {
        CHECK(format_utc(0) == "never");
        CHECK(format_utc(1'700'000'000'000) == "2023-11-14 22:13:20 UTC");
        CHECK(format_duration(850) == "850 ms");
        CHECK(format_duration(12'000) == "12 s");
        CHECK(format_duration(300'000) == "5 min");
        CHECK(format_duration(12'000'000) == "3 h 20 min");
        CHECK(format_duration(187'200'000) == "2 d 4 h");
        CHECK(format_bytes(512) == "512 B");
        CHECK(format_bytes(3u << 20) == "3.0 MiB");
    }

    TEST_CASE("the recent-checks ring keeps the newest, bounded, newest first") {
        RecentChecksRing ring(3);
        CHECK(ring.recent_checks(50).empty());
        const std::string long_code(1000, 'x');
        std::vector<CheckEvent> events;
        for (int i = 0; i < 5; ++i) {
            events.push_back({"local", i == 4 ? std::string_view(long_code) : "c",
                              CheckVerdict::not_blocked, static_cast<std::uint64_t>(i), i});
        }
        ring.on_checks(events);
        const auto recent = ring.recent_checks(50);
        REQUIRE(recent.size() == 3);
        CHECK(recent[0].time_ms == 4);
        CHECK(recent[0].code.size() == RecentChecksRing::kMaxCodeBytes);
        CHECK(recent[2].time_ms == 2);
        CHECK(ring.recent_checks(1).size() == 1);
    }

    TEST_CASE("lag history: one sample per interval, bounded, oldest first") {
        LagHistory history(3, 60'000);
        std::array<std::optional<std::int64_t>, piotd::storage::kAllLists.size()> lag{};
        for (std::int64_t minute = 0; minute < 5; ++minute) {
            lag[0] = minute * 10;
            history.maybe_sample(minute * 60'000, lag);
            history.maybe_sample(minute * 60'000 + 1'000, lag);  // too soon: ignored
        }
        const auto samples = history.samples(piotd::storage::ListName::blocked_cis);
        REQUIRE(samples.size() == 3);
        CHECK(samples[0].lag_ms == 20);
        CHECK(samples[2].lag_ms == 40);
        CHECK(!history.samples(piotd::storage::ListName::min_price)[0].lag_ms);
    }

    TEST_CASE("sparkline: polylines split at unknown samples; no data is said so") {
        const std::string svg =
            lag_sparkline_svg({{1, 1000}, {2, std::nullopt}, {3, 3000}, {4, 0}});
        CHECK(svg.starts_with("<svg"));
        CHECK(svg.ends_with("</svg>"));
        CHECK(contains(svg, "<title>max lag 3 s</title>"));
        std::size_t polylines = 0;
        for (std::size_t at = svg.find("<polyline"); at != std::string::npos;
             at = svg.find("<polyline", at + 1)) {
            ++polylines;
        }
        CHECK(polylines == 1);  // 1000 alone, then 3000 and 0
        CHECK(contains(svg, "<circle"));
        CHECK(contains(lag_sparkline_svg({}), "<title>no data</title>"));
    }

    TEST_CASE("the page escapes every dynamic value and says what is not configured") {
        const std::string page = render_status_page(hostile_snapshot());
        CHECK(page.starts_with("<!DOCTYPE html>"));
        CHECK(!contains(page, "<script>alert"));
        CHECK(!contains(page, "<b>"));
        CHECK(!contains(page, "<i>"));
        CHECK(contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"));
        CHECK(contains(page, "id=\"state\" class=\"state state-sync_error\">sync_error<"));
        CHECK(contains(page, "Ошибка синхронизации"));
        CHECK(contains(page, "id=\"list-blocked_cis-lag\" class=\"n\">1 min<"));
        CHECK(contains(page, "failing (2 in a row)"));
        // No provider: "not configured", never invented figures.
        CHECK(contains(page,
                       "<section id=\"outbox\"><h2>Outbox (sales and returns)</h2><p "
                       "class=\"muted\">not configured"));
        CHECK(contains(page,
                       "<section id=\"cdn\"><h2>CDN hosts (online checks)</h2><p "
                       "class=\"muted\">not configured"));
        CHECK(contains(
            page, "<section id=\"devices\"><h2>Devices</h2><p class=\"muted\">not configured"));
        // Nothing loads from elsewhere.
        CHECK(!contains(page, "src=\"http"));
        CHECK(!contains(page, "href=\"http"));
    }

    TEST_CASE("providers' data shows; an empty list says no data") {
        StatusSnapshot s = hostile_snapshot();
        s.outbox = OutboxStatus{7, 65'000, 1, {}};
        s.cdn = std::vector<CdnHostStatus>{{"cdn1.<crpt>", 42.0, false, 0}};
        s.devices = std::vector<DeviceStatus>{};
        s.checks = std::vector<CheckRecord>{};
        const std::string page = render_status_page(s);
        CHECK(contains(page, "id=\"outbox-queued\" class=\"n\">7<"));
        CHECK(contains(page, "id=\"outbox-oldest\" class=\"n\">1 min<"));
        CHECK(contains(page, "cdn1.&lt;crpt&gt;"));
        CHECK(contains(page, ">42<"));
        CHECK(contains(page, "<section id=\"devices\"><h2>Devices</h2><p class=\"muted\">no data"));
        CHECK(contains(page, "id=\"checks-empty\">no data"));
        CHECK(contains(page, "id=\"outbox-warnings\">none<"));
    }

    TEST_CASE("the outbox's warnings and the devices show, escaped, in HTML and JSON") {
        StatusSnapshot s = hostile_snapshot();
        s.outbox = OutboxStatus{3, std::nullopt, 2, {"queue_large", "dead_letters"}};
        s.devices = std::vector<DeviceStatus>{
            {"scanner", "/dev/ttyACM0", "disconnected", "disconnected: <gone>"},
            {"register", "tcp://10.0.0.5:7778", "ok", "FN 9999078900012345"}};
        const std::string page = render_status_page(s);
        CHECK(contains(page, "id=\"outbox-warnings\">queue_large, dead_letters<"));
        CHECK(contains(page, "id=\"outbox-oldest\" class=\"n\">—<"));
        CHECK(contains(page, "<td>scanner</td><td>/dev/ttyACM0</td><td>disconnected</td>"));
        CHECK(contains(page, "disconnected: &lt;gone&gt;"));
        CHECK(contains(page, "<td>FN 9999078900012345</td>"));
        const std::string json = render_status_json(s);
        rapidjson::Document doc;
        doc.Parse(json.data(), json.size());
        REQUIRE_MESSAGE(!doc.HasParseError(), json);
        CHECK(doc["outbox"]["queued"].GetUint64() == 3);
        CHECK(doc["outbox"]["oldestAgeMs"].IsNull());
        CHECK(doc["outbox"]["deadLetters"].GetUint64() == 2);
        REQUIRE(doc["outbox"]["warnings"].Size() == 2);
        CHECK(std::string(doc["outbox"]["warnings"][1].GetString()) == "dead_letters");
        REQUIRE(doc["devices"].Size() == 2);
        CHECK(std::string(doc["devices"][1]["kind"].GetString()) == "register");
        CHECK(std::string(doc["devices"][0]["detail"].GetString()) == "disconnected: <gone>");
    }

    TEST_CASE("the JSON is valid even with hostile bytes, and null where not configured") {
        const std::string json = render_status_json(hostile_snapshot());
        rapidjson::Document doc;
        doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
        REQUIRE_MESSAGE(!doc.HasParseError(), json);
        CHECK(std::string(doc["state"].GetString()) == "sync_error");
        CHECK(doc["outbox"].IsNull());
        CHECK(doc["cdn"].IsNull());
        CHECK(doc["devices"].IsNull());
        CHECK(doc["lists"][0]["localCount"].GetUint64() == 5);
        CHECK(doc["lists"][0]["serverCount"].IsNull());
        CHECK(doc["lists"][0]["loading"].IsNull());
        CHECK(std::string(doc["checks"][0]["verdict"].GetString()) == "invalid_code");
        CHECK(std::string(doc["upstreams"][0]["errors"]["network"].IsUint64() ? "y" : "n") == "y");
    }

    TEST_CASE("a snapshot load under way shows the items it committed so far") {
        StatusSnapshot s = hostile_snapshot();
        s.lists[0].server_count = 20000;
        s.lists[0].loading = 1500;
        CHECK(contains(render_status_page(s), "id=\"list-blocked_cis-loading\" class=\"n\">1500<"));
        const std::string json = render_status_json(s);
        rapidjson::Document doc;
        doc.Parse(json.data(), json.size());
        REQUIRE_MESSAGE(!doc.HasParseError(), json);
        CHECK(doc["lists"][0]["loading"].GetUint64() == 1500);
        CHECK(doc["lists"][0]["serverCount"].GetUint64() == 20000);
    }

    TEST_CASE("the local module card says when no local module is configured") {
        const StatusSnapshot s = hostile_snapshot();
        CHECK(contains(render_status_page(s),
                       "<section id=\"local-module\"><h2>Local module (ЛМ ЧЗ)</h2><p "
                       "class=\"muted\">not configured"));
        const std::string json = render_status_json(s);
        rapidjson::Document doc;
        doc.Parse(json.data(), json.size());
        REQUIRE_MESSAGE(!doc.HasParseError(), json);
        REQUIRE(doc.HasMember("localModule"));
        CHECK(doc["localModule"].IsNull());
    }

    TEST_CASE("the local module card: a ready LM, its 72-hour clock, circuit and counters") {
        StatusSnapshot s = hostile_snapshot();
        s.local_module = ready_lm(s.now_ms, 10 * kHour + 48 * kMinute);
        const std::string page = render_status_page(s);
        CHECK(contains(page, "<section id=\"local-module\"><h2>Local module (ЛМ ЧЗ)</h2>"));
        CHECK(contains(page, "id=\"lm-state\" class=\"state state-ready\">ready<"));
        CHECK(!contains(page, "unreachable"));
        CHECK(contains(page, "<code id=\"lm-url\">http://lm.store:5995</code>"));
        CHECK(contains(page, "id=\"lm-api-version\">2<"));
        CHECK(contains(page, "id=\"lm-reachable\" class=\"ok\">yes<"));
        CHECK(contains(page, "<code id=\"lm-inst\">b8a1d1a0-lm</code>"));
        CHECK(contains(page, "id=\"lm-version\">2.1.8<"));
        CHECK(contains(page, "id=\"lm-operation-mode\">active<"));
        CHECK(contains(page, "id=\"lm-last-sync\">" +
                                 format_utc(s.now_ms - 10 * kHour - 48 * kMinute) +
                                 " (10 h 48 min ago)<"));
        CHECK(contains(page, "id=\"lm-sync-clock\" class=\"ok\">sync_error in 61 h 12 min<"));
        CHECK(contains(page, "id=\"lm-last-error\"><span class=\"muted\">none</span>"));
        CHECK(contains(page, "id=\"lm-circuit\" class=\"ok\">closed<"));
        CHECK(contains(page, "id=\"lm-circuit-opened\" class=\"n\">1<"));
        CHECK(contains(page, "id=\"lm-checks-answered\" class=\"n\">120<"));
        CHECK(contains(page, "id=\"lm-checks-failed\" class=\"n\">3<"));
        CHECK(contains(page, "id=\"lm-checks-skipped\" class=\"n\">4<"));

        // Down, with its circuit open: the last status it sent, said so.
        s.local_module->reachable = false;
        s.local_module->circuit = "open";
        s.local_module->circuit_open_until_ms = s.now_ms + 30'000;
        s.local_module->last_error = "status: HTTP 502";
        const std::string down = render_status_page(s);
        CHECK(contains(down, "id=\"lm-reachable\" class=\"bad\">no<"));
        CHECK(contains(down, "unreachable: the last status it sent"));
        CHECK(contains(down, "id=\"lm-circuit\" class=\"bad\">open until " +
                                 format_utc(s.now_ms + 30'000) + "<"));
        CHECK(contains(down, "id=\"lm-last-error\"><code>status: HTTP 502</code>"));

        // Never answered: no status, no clock.
        LmMirror fresh;
        fresh.url = "http://lm.store:5995";
        s.local_module = fresh;
        const std::string first = render_status_page(s);
        CHECK(contains(first, "id=\"lm-state\" class=\"state state-unknown\">unknown<"));
        CHECK(contains(first, "no status answer yet"));
        CHECK(contains(first, "id=\"lm-api-version\" class=\"muted\">not detected yet<"));
        CHECK(contains(first, "id=\"lm-last-sync\">unknown<"));
        CHECK(contains(first, "id=\"lm-sync-clock\" class=\"muted\">lastSync unknown<"));
    }

    TEST_CASE(
        "the local module's 72-hour clock warns under 24 h left and is an error once passed") {
        StatusSnapshot s = hostile_snapshot();
        s.local_module = ready_lm(s.now_ms, 50 * kHour + 30 * kMinute);
        CHECK(contains(render_status_page(s),
                       "id=\"lm-sync-clock\" class=\"warn\">sync_error in 21 h 30 min<"));
        s.local_module = ready_lm(s.now_ms, 75 * kHour + 5 * kMinute);
        s.local_module->status->status = "sync_error";
        const std::string page = render_status_page(s);
        CHECK(contains(page, "id=\"lm-state\" class=\"state state-sync_error\">sync_error<"));
        CHECK(contains(page, "id=\"lm-sync-clock\" class=\"bad\">72 h passed 3 h 5 min ago<"));

        const LmSyncClock ok = lm_sync_clock(1'000 * kHour, 1'000 * kHour + 48 * kHour - 1);
        CHECK(ok.level == LmSyncClock::Level::ok);
        CHECK(lm_sync_clock(0, 48 * kHour + 1).level == LmSyncClock::Level::warning);
        CHECK(lm_sync_clock(0, 72 * kHour).level == LmSyncClock::Level::passed);
        CHECK(lm_sync_clock(std::nullopt, 0).level == LmSyncClock::Level::unknown);
        CHECK(format_hours_minutes(59'999) == "0 min");
        CHECK(format_hours_minutes(61 * kHour + 12 * kMinute) == "61 h 12 min");
    }

    TEST_CASE("the local module card escapes what the LM sent; its JSON stays valid") {
        StatusSnapshot s = hostile_snapshot();
        s.local_module = ready_lm(s.now_ms, kHour);
        s.local_module->last_error = kHostile;
        s.local_module->status->status = "<script>x</script>";
        s.local_module->status->version = "<i>9</i>\xfe";
        s.local_module->status->inst = "\"><b>";
        const std::string page = render_status_page(s);
        CHECK(!contains(page, "<script>alert"));
        CHECK(!contains(page, "<script>x"));
        CHECK(!contains(page, "<i>9"));
        CHECK(!contains(page, "<b>"));
        CHECK(contains(page,
                       "id=\"lm-last-error\"><code>&lt;script&gt;alert(1)&lt;/script&gt;&quot;"
                       "&#39;&amp;\xef\xbf\xbd\xef\xbf\xbd</code>"));
        // An unknown status keeps its (escaped) text but gets no class of its own.
        CHECK(contains(
            page, "id=\"lm-state\" class=\"state state-unknown\">&lt;script&gt;x&lt;/script&gt;<"));
        const std::string json = render_status_json(s);
        rapidjson::Document doc;
        doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
        REQUIRE_MESSAGE(!doc.HasParseError(), json);
        const auto& lm = doc["localModule"];
        REQUIRE(lm.IsObject());
        CHECK(std::string(lm["lastError"].GetString()) ==
              "<script>alert(1)</script>\"'&\x01\xef\xbf\xbd");
        CHECK(std::string(lm["version"].GetString()) == "<i>9</i>\xef\xbf\xbd");
    }

    TEST_CASE("the JSON's localModule is the mirror as GET /api/v1/status writes it") {
        StatusSnapshot s = hostile_snapshot();
        s.local_module = ready_lm(s.now_ms, kHour);
        const std::string json = render_status_json(s);
        rapidjson::Document doc;
        doc.Parse(json.data(), json.size());
        REQUIRE_MESSAGE(!doc.HasParseError(), json);
        const auto& lm = doc["localModule"];
        REQUIRE(lm.IsObject());
        CHECK(std::string(lm["url"].GetString()) == "http://lm.store:5995");
        CHECK(std::string(lm["apiVersion"].GetString()) == "2");
        CHECK(lm["reachable"].GetBool());
        CHECK(std::string(lm["status"].GetString()) == "ready");
        CHECK(std::string(lm["inst"].GetString()) == "b8a1d1a0-lm");
        CHECK(lm["lastSync"].GetInt64() == s.now_ms - kHour);
        CHECK(lm["syncDeadline"].GetInt64() == s.now_ms - kHour + kLmSyncLimitMs);
        CHECK(std::string(lm["circuit"].GetString()) == "closed");
        CHECK(lm["checks"]["answered"].GetUint64() == 120);
        CHECK(lm["checks"]["skipped"].GetUint64() == 4);
    }
}
