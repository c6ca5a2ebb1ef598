// The status page's pure parts: escaping, the recent-checks ring, lag history, sparklines, the
// HTML and JSON renderings of a snapshot with hostile text in it.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>

#include "daemon/checks/recent_checks.hpp"
#include "daemon/status/html_text.hpp"
#include "daemon/status/lag_history.hpp"
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
}
