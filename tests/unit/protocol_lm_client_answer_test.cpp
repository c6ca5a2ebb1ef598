// piotd as a client of a real local module: parsing its check and status answers
// (protocol/lm/lm_client_answer.hpp) and building the outCheck request bodies
// (protocol/lm/lm_client_request.hpp). lm-api.md §3.2–3.6, §4, §9 E1/E3/E4, Appendix A.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "protocol/lm/cis_list_request.hpp"
#include "protocol/lm/lm_client_answer.hpp"
#include "protocol/lm/lm_client_request.hpp"

using namespace piotd::protocol;

namespace {

// §3.3: a real GET cis/check answer (S3, 2025-05-30), verbatim.
constexpr std::string_view kS33 = R"({"code":0,"description":"ok",
 "codes":[{"cis":"0104603586014674215012516137746","gtin":"04603586014674",
           "isBlocked":false,"isGreyGtin":false,
           "printView":"0104603586014674215012516137746"}],
 "inst":"84c4d96a-1c44-4660-a1a2-1b0220f72d07",
 "reqId":"36a8eed9-b8f9-899b-5cd0-b2114b102dc6","reqTimestamp":1748622685213})";

// Appendix A: the real LM 1.1.1 check answer (keys in another order, no "version").
constexpr std::string_view kAppendixCheck =
    R"({"reqId":"bfa41a5f-…","reqTimestamp":1738932218989,"inst":"ebf70f9d-…","description":"ok","codes":[{"printView":"0104850013000162215!!Y!BsOtaR_n","isBlocked":true,"gtin":"04850013000162","cis":"0104850013000162215!!Y!BsOtaR_n"}],"code":0})";

// Appendix A: the real status of LM 1.2.0 in ready.
constexpr std::string_view kAppendixStatus =
    R"({"version":"1.2.0-326","status":"ready","serviceUrl":"https://suz-rsapi.sandbox.crptech.ru","requiresDownload":false,"replicationStatus":{"cis":{"timeLag":"unknown","serverDocCount":"unknown","localDocCount":"unknown"},"blocked_gtin":{"timeLag":1171069,"serverDocCount":236,"localDocCount":236},"blocked_cis":{"timeLag":1171031,"serverDocCount":1113887,"localDocCount":1113887}},"operationMode":"active","name":"regime","lastUpdate":1739457221213,"lastSync":1739457221213,"inst":"7a1b9bec-…","inn":"2465310432","dbVersion":"de66b749-…"})";

// §9 E1: the v1 status.
constexpr std::string_view kE1 =
    R"({"name":"<name>","version":"1.5.1-523","status":"ready","operationMode":"active",
 "inst":"84c4d96a-1c44-4660-a1a2-1b0220f72d07","inn":"7700000001","dbVersion":"<id>",
 "serviceUrl":"https://rsapi.crpt.ru","lastSync":1748622000000,"lastUpdate":1748622600000,
 "requiresDownload":false,"isGreyGtin":false,
 "replicationStatus":{
   "cis":{"timeLag":0,"serverDocCount":12,"localDocCount":12},
   "blocked_gtin":{"timeLag":0,"serverDocCount":340,"localDocCount":340},
   "blocked_cis":{"timeLag":1200,"serverDocCount":1113887,"localDocCount":1113887},
   "blocked_series":{"timeLag":"unknown","serverDocCount":"unknown","localDocCount":"unknown"}}})";

// §9 E3: the v2 POST outCheck answer (the wrapper).
constexpr std::string_view kE3 = R"({"results":[{"code":0,"description":"ok",
  "reqId":"5d0b2f54-3a7e-4b8e-9a55-0c2f3f1f9a11","reqTimestamp":1773524146442,
  "inst":"84c4d96a-1c44-4660-a1a2-1b0220f72d07","version":"2.5.1-2",
  "codes":[{"cis":"0104607010350246215kRdG-1%2(UmV","gtin":"04607010350246",
            "isBlocked":false,"sold":false}]}]})";

std::string flat(std::string_view codes, std::string_view extra = "") {
    return R"({"code":0,"description":"ok","reqId":"r","reqTimestamp":1,"inst":"i","codes":[)" +
           std::string(codes) + "]" + std::string(extra) + "}";
}

// `depth` levels of nesting in all: the answer object and depth - 1 arrays inside it.
std::string nested(std::string_view object_start, unsigned depth) {
    return std::string(object_start) + R"("x":)" + std::string(depth - 1, '[') +
           std::string(depth - 1, ']') + "}";
}

std::string_view slice(std::string_view text, std::string_view from, std::string_view to) {
    const std::size_t begin = text.find(from);
    return text.substr(begin, text.find(to, begin) + to.size() - begin);
}

}  // namespace

TEST_SUITE("protocol.lm_client") {
    TEST_CASE("lm client answer: §3.3 GET check, field for field, code kept byte for byte") {
        const auto parse = parse_lm_check_answer(kS33);
        REQUIRE(parse);
        const LmClientCheckAnswer& a = parse.answer;
        CHECK(a.code == 0);
        CHECK(a.description == "ok");
        CHECK(a.req_id == "36a8eed9-b8f9-899b-5cd0-b2114b102dc6");
        CHECK(a.req_timestamp_ms == 1748622685213);
        CHECK(a.inst == "84c4d96a-1c44-4660-a1a2-1b0220f72d07");
        CHECK(a.version.empty());
        CHECK(a.raw_json == kS33);
        REQUIRE(a.codes.size() == 1);
        const LmClientCode& c = a.codes[0];
        CHECK(c.cis == "0104603586014674215012516137746");
        CHECK(c.gtin == "04603586014674");
        CHECK(c.print_view == "0104603586014674215012516137746");
        CHECK(c.is_blocked == false);
        CHECK(c.is_grey_gtin == false);
        CHECK_FALSE(c.sold);
        CHECK_FALSE(c.mrp);
        CHECK_FALSE(c.smp);
        CHECK(c.raw_json == slice(kS33, R"({"cis")", "}"));
    }

    TEST_CASE("lm client answer: Appendix A check (LM 1.1.1, keys in another order)") {
        const auto parse = parse_lm_check_answer(kAppendixCheck);
        REQUIRE(parse);
        CHECK(parse.answer.req_id == "bfa41a5f-…");
        CHECK(parse.answer.req_timestamp_ms == 1738932218989);
        CHECK(parse.answer.inst == "ebf70f9d-…");
        REQUIRE(parse.answer.codes.size() == 1);
        CHECK(parse.answer.codes[0].is_blocked == true);
        CHECK(parse.answer.codes[0].cis == "0104850013000162215!!Y!BsOtaR_n");
        CHECK(parse.answer.codes[0].raw_json == slice(kAppendixCheck, R"({"printView")", "}"));
    }

    TEST_CASE("lm client answer: §9 E3 wrapper (v2), raw_json is results[0]") {
        const auto parse = parse_lm_check_answer(kE3);
        REQUIRE(parse);
        const LmClientCheckAnswer& a = parse.answer;
        CHECK(a.req_id == "5d0b2f54-3a7e-4b8e-9a55-0c2f3f1f9a11");
        CHECK(a.req_timestamp_ms == 1773524146442);
        CHECK(a.version == "2.5.1-2");
        CHECK(a.raw_json == slice(kE3, R"({"code")", "}]}"));
        REQUIRE(a.codes.size() == 1);
        CHECK(a.codes[0].sold == false);
        CHECK(a.codes[0].is_blocked == false);
        CHECK_FALSE(a.codes[0].is_grey_gtin);
        CHECK(a.codes[0].raw_json == slice(kE3, R"({"cis")", "}"));
    }

    TEST_CASE("lm client answer: wrapper with 2 results concatenates codes, identity from first") {
        const std::string r0 =
            R"({"code":0,"description":"ok","reqId":"A","reqTimestamp":"100","inst":"I","version":"2.6",)"
            R"("codes":[{"cis":"a","mrp":14500,"smp":13500}]})";
        const std::string r1 =
            R"({"code":0,"reqId":"B","reqTimestamp":200,"codes":[{"cis":"b"},{"cis":"c","vendorNote":"x"}]})";
        const auto parse = parse_lm_check_answer(R"({"results":[)" + r0 + " , " + r1 + "]}");
        REQUIRE(parse);
        CHECK(parse.answer.req_id == "A");
        CHECK(parse.answer.req_timestamp_ms == 100);  // a numeric string is accepted
        CHECK(parse.answer.version == "2.6");
        CHECK(parse.answer.raw_json == r0);
        REQUIRE(parse.answer.codes.size() == 3);
        CHECK(parse.answer.codes[0].mrp == 14500);
        CHECK(parse.answer.codes[0].smp == 13500);
        CHECK(parse.answer.codes[1].cis == "b");
        CHECK(parse.answer.codes[2].raw_json == R"({"cis":"c","vendorNote":"x"})");
    }

    TEST_CASE("lm client answer: raw_json is byte-exact, unknown fields and odd spacing kept") {
        const std::string a =
            R"({ "cis" : "a\u001db\"}" , "vendorNote":"x", "n":{"y":[{"z":"}"}]} })";
        const std::string b = "{}";
        const std::string body = "\xef\xbb\xbf {\"codes\" :\n [ " + a + " ,\n" + b +
                                 "], \"code\":0,\"reqId\":\"r\",\"reqTimestamp\":5,"
                                 " \"x\":{\"codes\":[{}]}, \"results\":null} \n";
        const auto parse = parse_lm_check_answer(body);
        REQUIRE(parse);
        REQUIRE(parse.answer.codes.size() == 2);
        CHECK(parse.answer.codes[0].raw_json == a);
        CHECK(parse.answer.codes[0].cis ==
              "a\x1d"
              "b\"}");
        CHECK(parse.answer.codes[1].raw_json == b);
        CHECK(parse.answer.raw_json == body.substr(4, body.size() - 6));
    }

    TEST_CASE("lm client answer: error bodies 4045, 4050 and others") {
        auto p = parse_lm_check_answer(R"({"errorCode":4045,"description":"not ready"})");
        CHECK(p.error == LmAnswerError::not_ready);
        CHECK(p.error_code == 4045);
        CHECK(p.answer.description == "not ready");
        CHECK(p.detail.find("not ready") != std::string::npos);
        p = parse_lm_check_answer(R"({"errorCode":4050,"description":"…sync_error…"})");  // E4
        CHECK(p.error == LmAnswerError::out_of_sync);
        CHECK(p.error_code == 4050);
        CHECK(p.answer.raw_json == R"({"errorCode":4050,"description":"…sync_error…"})");
        p = parse_lm_check_answer(R"({"code":400,"errorCode":"4077"})");
        CHECK(p.error == LmAnswerError::lm_error);
        CHECK(p.error_code == 4077);
        CHECK(p.answer.code == 400);
        p = parse_lm_check_answer(R"({"code":3,"description":"bad"})");
        CHECK(p.error == LmAnswerError::lm_error);
        CHECK(p.error_code == 3);
        p = parse_lm_check_answer(R"({"errorCode":4050,"results":[]})");
        CHECK(p.error == LmAnswerError::out_of_sync);
        const std::string bad = R"({"code":0,"errorCode":4045})";
        p = parse_lm_check_answer(R"({"results":[)" + std::string(kS33) + "," + bad + "]}");
        CHECK(p.error == LmAnswerError::not_ready);
        CHECK(p.answer.raw_json == bad);
        CHECK(p.detail.find("answer.results[1]") != std::string::npos);
        CHECK(parse_lm_check_answer(flat("", R"(,"errorCode":0)")));  // 0: no error
        CHECK(parse_lm_check_answer(R"({"errorCode":true})").error == LmAnswerError::invalid_field);
    }

    TEST_CASE("lm client answer: missing fields, wrong types, negative prices") {
        struct Case {
            std::string body;
            LmAnswerError error;
            std::string_view detail_part;
        };
        const Case cases[] = {
            {"", LmAnswerError::invalid_json, "not valid JSON"},
            {"<html>502</html>", LmAnswerError::invalid_json, "not valid JSON"},
            {R"({"code":0} x)", LmAnswerError::invalid_json, "not valid JSON"},
            {"[]", LmAnswerError::invalid_json, "object"},
            {R"({"description":"ok"})", LmAnswerError::missing_field, "answer.code"},
            {R"({"code":0,"reqTimestamp":1,"codes":[]})", LmAnswerError::missing_field, "reqId"},
            {R"({"code":0,"reqId":"","reqTimestamp":1,"codes":[]})", LmAnswerError::missing_field,
             "reqId"},
            {R"({"code":0,"reqId":"r","codes":[]})", LmAnswerError::missing_field, "reqTimestamp"},
            {R"({"code":0,"reqId":"r","reqTimestamp":1})", LmAnswerError::missing_field, "codes"},
            {R"({"results":[]})", LmAnswerError::missing_field, "answer.results"},
            {R"({"code":"0"})", LmAnswerError::invalid_field, "answer.code"},
            {R"({"code":0,"reqId":7,"reqTimestamp":1,"codes":[]})", LmAnswerError::invalid_field,
             "answer.reqId"},
            {R"({"code":0,"reqId":"r","reqTimestamp":1.5,"codes":[]})",
             LmAnswerError::invalid_field, "reqTimestamp"},
            {R"({"code":0,"reqId":"r","reqTimestamp":"12a","codes":[]})",
             LmAnswerError::invalid_field, "reqTimestamp"},
            {R"({"code":0,"reqId":"r","reqTimestamp":-1,"codes":[]})", LmAnswerError::invalid_field,
             "reqTimestamp"},
            {flat("", R"(,"version":2)"), LmAnswerError::invalid_field, "answer.version"},
            {R"({"code":0,"reqId":"r","reqTimestamp":1,"codes":{}})", LmAnswerError::invalid_field,
             "answer.codes"},
            {R"({"results":{}})", LmAnswerError::invalid_field, "answer.results"},
            {R"({"results":[1]})", LmAnswerError::invalid_field, "answer.results[0]"},
            {flat("7"), LmAnswerError::invalid_field, "answer.codes[0]"},
            {flat(R"({"isBlocked":"false"})"), LmAnswerError::invalid_field, "codes[0].isBlocked"},
            {flat(R"({},{"sold":1})"), LmAnswerError::invalid_field, "codes[1].sold"},
            {flat(R"({"cis":5})"), LmAnswerError::invalid_field, "codes[0].cis"},
            {flat(R"({"mrp":-1})"), LmAnswerError::invalid_field, "codes[0].mrp"},
            {flat(R"({"smp":99.5})"), LmAnswerError::invalid_field, "codes[0].smp"},
            {flat(R"({"mrp":"14500"})"), LmAnswerError::invalid_field, "codes[0].mrp"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.body);
            const auto parse = parse_lm_check_answer(c.body);
            CHECK(parse.error == c.error);
            CHECK_FALSE(parse);
            CHECK(parse.detail.find(c.detail_part) != std::string::npos);
        }
        // null is absent.
        const auto parse = parse_lm_check_answer(
            flat(R"({"cis":null,"isBlocked":null,"mrp":null})", R"(,"version":null)"));
        REQUIRE(parse);
        CHECK(parse.answer.codes[0].cis.empty());
        CHECK_FALSE(parse.answer.codes[0].is_blocked);
        CHECK_FALSE(parse.answer.codes[0].mrp);
    }

    TEST_CASE("lm client answer: at most kMaxLmAnswerCodes codes, over all results") {
        const auto codes = [](std::size_t n) {
            std::string text = "{}";
            for (std::size_t i = 1; i < n; ++i) text += ",{}";
            return text;
        };
        const auto all = parse_lm_check_answer(flat(codes(kMaxLmAnswerCodes)));
        CHECK(all.answer.codes.size() == kMaxLmAnswerCodes);
        CHECK(parse_lm_check_answer(flat(codes(kMaxLmAnswerCodes + 1))).error ==
              LmAnswerError::too_many_codes);
        const std::string half = flat(codes(kMaxLmAnswerCodes / 2));
        CHECK(parse_lm_check_answer(R"({"results":[)" + half + "," + half + "]}"));
        const std::string more = flat(codes(kMaxLmAnswerCodes / 2 + 1));
        const auto two = parse_lm_check_answer(R"({"results":[)" + half + "," + more + "]}");
        CHECK(two.error == LmAnswerError::too_many_codes);
    }

    TEST_CASE("lm client answer: nesting of 33 is refused before parsing, 32 and 31 accepted") {
        const std::string_view start = R"({"code":0,"reqId":"r","reqTimestamp":1,"codes":[],)";
        CHECK(parse_lm_check_answer(nested(start, 31)));
        CHECK(parse_lm_check_answer(nested(start, kMaxLmAnswerDepth)));
        const auto deep = parse_lm_check_answer(nested(start, 33));
        CHECK(deep.error == LmAnswerError::too_deep);
        // Far too deep and not even closed: refused by the scan, never parsed.
        CHECK(parse_lm_check_answer(std::string(100'000, '[')).error == LmAnswerError::too_deep);
        CHECK(parse_lm_status(nested(R"({"status":"ready",)", 33)).error ==
              LmAnswerError::too_deep);
        CHECK(parse_lm_status(nested(R"({"status":"ready",)", 31)));
        // Brackets inside strings (escaped quotes too) do not count.
        CHECK(parse_lm_check_answer(flat("", R"(,"s":"\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[")")));
    }

    TEST_CASE("lm client answer: a 1 MB string") {
        const std::string big(1 << 20, 'A');
        const auto parse = parse_lm_check_answer(flat(R"({"cis":")" + big + R"("})"));
        REQUIRE(parse);
        CHECK(parse.answer.codes[0].cis == big);
        CHECK(parse.answer.codes[0].raw_json.size() == big.size() + 10);
        const auto status = parse_lm_status(R"({"status":"ready","name":")" + big + R"("})");
        REQUIRE(status);
        CHECK(status.status.name == big);
    }

    TEST_CASE("lm client status: Appendix A (LM 1.2.0, ready), unknown counters") {
        const auto parse = parse_lm_status(kAppendixStatus);
        REQUIRE(parse);
        const LmClientStatus& s = parse.status;
        CHECK(s.status == "ready");
        CHECK(s.version == "1.2.0-326");
        CHECK(s.name == "regime");
        CHECK(s.service_url == "https://suz-rsapi.sandbox.crptech.ru");
        CHECK(s.requires_download == false);
        CHECK_FALSE(s.is_grey_gtin);
        CHECK(s.operation_mode == "active");
        CHECK(s.last_sync_ms == 1739457221213);
        CHECK(s.last_update_ms == 1739457221213);
        CHECK(s.inst == "7a1b9bec-…");
        CHECK(s.inn == "2465310432");
        CHECK(s.db_version == "de66b749-…");
        CHECK(s.raw_json == kAppendixStatus);
        REQUIRE(s.lists.size() == 3);
        CHECK(s.lists[0].name == "cis");
        CHECK_FALSE(s.lists[0].time_lag_ms);
        CHECK_FALSE(s.lists[0].server_doc_count);
        CHECK_FALSE(s.lists[0].local_doc_count);
        CHECK(s.lists[1].name == "blocked_gtin");
        CHECK(s.lists[1].time_lag_ms == 1171069);
        CHECK(s.lists[1].server_doc_count == 236);
        CHECK(s.lists[2].name == "blocked_cis");
        CHECK(s.lists[2].local_doc_count == 1113887);
        CHECK_FALSE(s.lists[2].doc_count);
    }

    TEST_CASE("lm client status: §9 E1 (v1)") {
        const auto parse = parse_lm_status(kE1);
        REQUIRE(parse);
        const LmClientStatus& s = parse.status;
        CHECK(s.name == "<name>");
        CHECK(s.version == "1.5.1-523");
        CHECK(s.inn == "7700000001");
        CHECK(s.db_version == "<id>");
        CHECK(s.is_grey_gtin == false);
        CHECK(s.last_sync_ms == 1748622000000);
        CHECK(s.last_update_ms == 1748622600000);
        REQUIRE(s.lists.size() == 4);
        CHECK(s.lists[2].name == "blocked_cis");
        CHECK(s.lists[2].time_lag_ms == 1200);
        CHECK(s.lists[3].name == "blocked_series");
        CHECK_FALSE(s.lists[3].server_doc_count);
    }

    TEST_CASE("lm client status: v2 dbState, ESM's dbState.databases, numeric strings") {
        auto parse = parse_lm_status(
            R"({"dbState":{"min_price":{"docCount":120},"blocked_gtin":{"docCount":"236"},)"
            R"("blocked_cis":{"docCount":"unknown"},"note":"x"},"status":"initialization",)"
            R"("replicationStatus":{"cis":{"timeLag":"-5","serverDocCount":"12"}},"version":"2.6"})");
        REQUIRE(parse);
        const auto& lists = parse.status.lists;
        CHECK(parse.status.status == "initialization");
        REQUIRE(lists.size() == 4);  // in the order received; "note" is not a list
        CHECK(lists[0].name == "min_price");
        CHECK(lists[0].doc_count == 120);
        CHECK(lists[1].doc_count == 236);
        CHECK_FALSE(lists[2].doc_count);
        CHECK(lists[3].name == "cis");
        CHECK(lists[3].time_lag_ms == -5);
        CHECK(lists[3].server_doc_count == 12);
        parse = parse_lm_status(
            R"({"status":"ready","dbState":{"databases":{"min_price":{"docCount":1},)"
            R"("blocked_gtin":{"docCount":2},"blocked_cis":{"docCount":3}}}})");
        REQUIRE(parse);
        REQUIRE(parse.status.lists.size() == 3);
        CHECK(parse.status.lists[2].name == "blocked_cis");
        CHECK(parse.status.lists[2].doc_count == 3);
    }

    TEST_CASE("lm client status: requiresDownload as a string, unknown status kept, bad types") {
        auto parse = parse_lm_status(
            R"({"status":"failure","requiresDownload":"true","isGreyGtin":"false","lastSync":"17"})");
        REQUIRE(parse);
        CHECK(parse.status.status == "failure");
        CHECK(parse.status.requires_download == true);
        CHECK(parse.status.is_grey_gtin == false);
        CHECK(parse.status.last_sync_ms == 17);
        CHECK(parse_lm_status(R"({"status":"ready","replicationStatus":null,"inn":null})"));
        struct Case {
            std::string_view body;
            LmAnswerError error;
            std::string_view detail_part;
        };
        const Case cases[] = {
            {"{", LmAnswerError::invalid_json, "not valid JSON"},
            {R"("ready")", LmAnswerError::invalid_json, "object"},
            {R"({"name":"regime"})", LmAnswerError::missing_field, "status.status"},
            {R"({"status":null})", LmAnswerError::missing_field, "status.status"},
            {R"({"status":1})", LmAnswerError::invalid_field, "status.status"},
            {R"({"status":"ready","requiresDownload":"yes"})", LmAnswerError::invalid_field,
             "requiresDownload"},
            {R"({"status":"ready","lastSync":"soon"})", LmAnswerError::invalid_field, "lastSync"},
            {R"({"status":"ready","lastUpdate":-3})", LmAnswerError::invalid_field, "lastUpdate"},
            {R"({"status":"ready","inn":7700000001})", LmAnswerError::invalid_field, "status.inn"},
            {R"({"status":"ready","replicationStatus":[]})", LmAnswerError::invalid_field,
             "replicationStatus"},
            {R"({"status":"ready","dbState":"ok"})", LmAnswerError::invalid_field, "dbState"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.body);
            const auto result = parse_lm_status(c.body);
            CHECK(result.error == c.error);
            CHECK(result.detail.find(c.detail_part) != std::string::npos);
        }
        // Counters of a wrong kind are "not known", never an error.
        parse = parse_lm_status(R"({"status":"ready","replicationStatus":{"cis":{"timeLag":true,)"
                                R"("serverDocCount":1.5,"localDocCount":"12 "}}})");
        REQUIRE(parse);
        CHECK_FALSE(parse.status.lists[0].time_lag_ms);
        CHECK_FALSE(parse.status.lists[0].server_doc_count);
        CHECK_FALSE(parse.status.lists[0].local_doc_count);
    }

    TEST_CASE("lm client answer: error names") {
        CHECK(lm_answer_error_name(LmAnswerError::none) == "none");
        CHECK(lm_answer_error_name(LmAnswerError::invalid_json) == "invalid_json");
        CHECK(lm_answer_error_name(LmAnswerError::too_deep) == "too_deep");
        CHECK(lm_answer_error_name(LmAnswerError::missing_field) == "missing_field");
        CHECK(lm_answer_error_name(LmAnswerError::invalid_field) == "invalid_field");
        CHECK(lm_answer_error_name(LmAnswerError::too_many_codes) == "too_many_codes");
        CHECK(lm_answer_error_name(LmAnswerError::not_ready) == "not_ready");
        CHECK(lm_answer_error_name(LmAnswerError::out_of_sync) == "out_of_sync");
        CHECK(lm_answer_error_name(LmAnswerError::lm_error) == "lm_error");
    }

    TEST_CASE("lm client request: v1 and v2 outCheck bodies (§9 E3), escaping") {
        const std::vector<LmCheckQuery> e3{{"0104607010350246215kRdG-1%2(UmV", 8}};
        CHECK(build_lm_v2_check_body(e3) ==
              R"({"cis_list":[{"cis":"0104607010350246215kRdG-1%2(UmV","pg":8}]})");
        CHECK(build_lm_v1_check_body(e3) == R"({"cis_list":["0104607010350246215kRdG-1%2(UmV"]})");
        const std::vector<LmCheckQuery> odd{{"0104670540176099215'W9\"U\\m\x1d"
                                             "93",
                                             std::nullopt},
                                            {"04601653035829H;dV)bF", 3}};
        CHECK(build_lm_v1_check_body(odd) ==
              R"({"cis_list":["0104670540176099215'W9\"U\\m\u001D93","04601653035829H;dV)bF"]})");
        CHECK(build_lm_v2_check_body(odd) ==
              R"({"cis_list":[{"cis":"0104670540176099215'W9\"U\\m\u001D93"},)"
              R"({"cis":"04601653035829H;dV)bF","pg":3}]})");
        // What piotd's own server (an LM itself) reads back is what was sent.
        for (const std::string& body : {build_lm_v1_check_body(odd), build_lm_v2_check_body(odd)}) {
            const CisListRequest decoded = decode_cis_list(body, 10);
            REQUIRE(decoded.error == RequestError::none);
            REQUIRE(decoded.entries.size() == 2);
            CHECK(decoded.entries[0].cis == odd[0].cis);
            CHECK(decoded.entries[1].cis == odd[1].cis);
        }
        CHECK(decode_cis_list(build_lm_v2_check_body(odd), 10).entries[1].pg == 3);
        CHECK(build_lm_v1_check_body({}) == R"({"cis_list":[]})");
        CHECK(build_lm_v2_check_body({}) == R"({"cis_list":[]})");
    }
}

TEST_SUITE("protocol.lm_client") {
    TEST_CASE("lm client answer: invalid UTF-8 from the LM is refused, not passed on") {
        using namespace piotd::protocol;
        const std::string check =
            "{\"code\":0,\"description\":\"ok\",\"reqId\":\"r\",\"reqTimestamp\":1,"
            "\"inst\":\"\xff\xfe\",\"version\":\"2\",\"codes\":[]}";
        CHECK(parse_lm_check_answer(check).error == LmAnswerError::invalid_json);
        const std::string status = "{\"status\":\"ready\",\"version\":\"\xc3\"}";
        CHECK(parse_lm_status(status).error == LmAnswerError::invalid_json);
        CHECK(parse_lm_status("{\"status\":\"ready\",\"name\":\"\xd1\x80\"}"));  // valid UTF-8
    }
}
