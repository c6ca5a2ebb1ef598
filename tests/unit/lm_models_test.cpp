// The LM JSON models of protocol/: request decoding, answers, status rules.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <array>
#include <string>

#include "protocol/text/base64.hpp"
#include "protocol/lm/cis_list_request.hpp"
#include "protocol/lm/lm_check_answer.hpp"
#include "protocol/lm/lm_status.hpp"
#include "protocol/lm/lm_status_answer.hpp"

using namespace piotd::protocol;

namespace {

std::string render_check(const LmCheckAnswer& answer, LmApiVersion api, bool wrapped) {
    std::string out;
    if (wrapped) {
        append_check_results(out, answer, api);
    } else {
        append_check_answer(out, answer, api);
    }
    return out;
}

}  // namespace

TEST_SUITE("lm.models") {
    TEST_CASE("cis_list accepts strings and {cis, pg} objects") {
        const auto request = decode_cis_list(
            R"({"cis_list":["0104603586014674215012516137746",{"cis":"x","pg":8},{"cis":"y","pg":null}]})",
            10);
        REQUIRE(request.error == RequestError::none);
        REQUIRE(request.entries.size() == 3);
        CHECK(request.entries[0].cis == "0104603586014674215012516137746");
        CHECK(!request.entries[0].pg);
        CHECK(request.entries[1].pg == 8);
        CHECK(!request.entries[2].pg);
    }

    TEST_CASE("cis_list keeps GS and quotes byte-exact") {
        const auto request =
            decode_cis_list(R"({"cis_list":["0104670540176099215'W9Um\u001d93dGVz","a\"b"]})", 10);
        REQUIRE(request.error == RequestError::none);
        CHECK(request.entries[0].cis == std::string("0104670540176099215'W9Um\x1d"
                                                    "93dGVz"));
        CHECK(request.entries[1].cis == "a\"b");
    }

    TEST_CASE("cis_list errors name what is wrong") {
        CHECK(decode_cis_list("", 10).error == RequestError::invalid_json);
        CHECK(decode_cis_list("{", 10).error == RequestError::invalid_json);
        CHECK(decode_cis_list("[]", 10).error == RequestError::invalid_json);
        CHECK(decode_cis_list("{}", 10).error == RequestError::missing_field);
        CHECK(decode_cis_list(R"({"cis_list":{}})", 10).error == RequestError::invalid_field);
        CHECK(decode_cis_list(R"({"cis_list":[]})", 10).error == RequestError::empty_list);
        CHECK(decode_cis_list(R"({"cis_list":[1]})", 10).error == RequestError::invalid_field);
        CHECK(decode_cis_list(R"({"cis_list":[{"pg":1}]})", 10).error ==
              RequestError::missing_field);
        CHECK(decode_cis_list(R"({"cis_list":[{"cis":1}]})", 10).error ==
              RequestError::invalid_field);
        CHECK(decode_cis_list(R"({"cis_list":[{"cis":"a","pg":1.5}]})", 10).error ==
              RequestError::invalid_field);
        const auto too_many = decode_cis_list(R"({"cis_list":["a","b","c"]})", 2);
        CHECK(too_many.error == RequestError::too_many_codes);
        CHECK(too_many.detail.find("at most 2") != std::string::npos);
        const auto bad = decode_cis_list(R"({"cis_list":["a",7]})", 10);
        CHECK(bad.detail.find("cis_list[1]") != std::string::npos);
        // Deep nesting is parsed iteratively: an error, not a stack overflow.
        CHECK(decode_cis_list(std::string(1'000'000, '['), 10).error == RequestError::invalid_json);
    }

    TEST_CASE("check answer: flat v1 shape, wrapped POST shape, v2 fields") {
        LmCodeResult code;
        code.cis = "0104850013000162215!!Y!BsOtaR_n";
        code.gtin = "04850013000162";
        code.print_view = code.cis;
        code.is_blocked = true;
        LmCheckAnswer answer;
        answer.req_id = "36a8eed9-b8f9-499b-9dc6-b2114b102dc6";
        answer.req_timestamp_ms = 1748622685213;
        answer.inst = "84c4d96a-1c44-4660-a1a2-1b0220f72d07";
        answer.version = "0.1.0";
        answer.codes = {&code, 1};
        CHECK(render_check(answer, LmApiVersion::v1, false) ==
              R"({"code":0,"description":"ok","reqId":"36a8eed9-b8f9-499b-9dc6-b2114b102dc6",)"
              R"("reqTimestamp":1748622685213,"inst":"84c4d96a-1c44-4660-a1a2-1b0220f72d07",)"
              R"("version":"0.1.0","codes":[{"cis":"0104850013000162215!!Y!BsOtaR_n",)"
              R"("gtin":"04850013000162","printView":"0104850013000162215!!Y!BsOtaR_n",)"
              R"("isBlocked":true,"isGreyGtin":false}]})");
        const std::string wrapped = render_check(answer, LmApiVersion::v1, true);
        CHECK(wrapped.starts_with(R"({"results":[{"code":0,)"));
        CHECK(wrapped.ends_with("}]}"));

        code.sold = true;
        code.mrp = 8100;
        code.smp = 10000;
        code.repairs.layout_repaired = true;
        code.gtin_check_digit_ok = false;
        const std::string v2 = render_check(answer, LmApiVersion::v2, false);
        CHECK(
            v2.find(
                R"("isGreyGtin":false,"sold":true,"mrp":8100,"smp":10000,"repairs":["layout_repaired"],"gtinCheckDigitOk":false})") !=
            std::string::npos);
        // v1 never shows v2 fields.
        CHECK(render_check(answer, LmApiVersion::v1, false).find("sold") == std::string::npos);
    }

    TEST_CASE("check answer: several codes, hostile bytes and every repair parse back as sent") {
        std::array<LmCodeResult, 3> codes{};
        const std::string gs_code =
            "0104600000000000215\"q\\\x1d"
            "93ab\x01";
        codes[0].cis = gs_code;
        codes[0].gtin = "04600000000000";
        codes[0].print_view = "0104600000000000215\"q\\";
        codes[1].cis = "Честный знак";
        codes[1].repairs = {true, true, true, true, true, true, true};
        codes[2].mrp = 0;
        LmCheckAnswer answer;
        answer.req_id = "r";
        answer.req_timestamp_ms = -1;
        answer.inst = "i";
        answer.version = "v";
        answer.codes = codes;
        const std::string json = render_check(answer, LmApiVersion::v2, true);
        rapidjson::Document doc;
        doc.Parse(json.data(), json.size());
        REQUIRE(!doc.HasParseError());
        const auto& got = doc["results"][0];
        CHECK(got["reqTimestamp"].GetInt64() == -1);
        REQUIRE(got["codes"].Size() == 3);
        CHECK(std::string(got["codes"][0]["cis"].GetString(),
                          got["codes"][0]["cis"].GetStringLength()) == gs_code);
        CHECK(std::string(got["codes"][1]["cis"].GetString()) == "Честный знак");
        CHECK(got["codes"][1]["repairs"].Size() == 7);
        CHECK(std::string(got["codes"][1]["repairs"][6].GetString()) == "suffix_stripped");
        CHECK(!got["codes"][1].HasMember("mrp"));
        CHECK(got["codes"][2]["mrp"].GetUint() == 0);
        CHECK(json.find(R"(\u001D93ab\u0001")") != std::string::npos);
    }

    TEST_CASE("status state machine follows lm-api.md §3.2") {
        const std::int64_t now = 1'800'000'000'000;
        CHECK(evaluate_lm_status({false, true, now}, now) == LmStatus::not_configured);
        CHECK(evaluate_lm_status({true, false, now}, now) == LmStatus::initialization);
        CHECK(evaluate_lm_status({true, true, now}, now) == LmStatus::ready);
        CHECK(evaluate_lm_status({true, true, now - kSyncErrorAfterMs}, now) == LmStatus::ready);
        CHECK(evaluate_lm_status({true, true, now - kSyncErrorAfterMs - 1}, now) ==
              LmStatus::sync_error);
        CHECK(lm_status_name(LmStatus::sync_error) == "sync_error");
    }

    TEST_CASE("status answer writes unknown counters as the string \"unknown\"") {
        const ReplicationEntry entries[] = {{"cis", std::nullopt, std::nullopt, std::nullopt},
                                            {"blocked_cis", 1200, 1113887, 1113887}};
        LmStatusAnswer answer;
        answer.name = "piotd";
        answer.version = "0.1.0";
        answer.status = LmStatus::ready;
        answer.replication = entries;
        piotd::protocol::JsonBuffer buffer;
        JsonWriter writer(buffer);
        write_status_answer(writer, answer, LmApiVersion::v2);
        rapidjson::Document doc;
        doc.Parse(buffer.GetString());
        REQUIRE(!doc.HasParseError());
        CHECK(std::string(doc["status"].GetString()) == "ready");
        CHECK(std::string(doc["replicationStatus"]["cis"]["timeLag"].GetString()) == "unknown");
        CHECK(doc["replicationStatus"]["blocked_cis"]["timeLag"].GetInt64() == 1200);
        CHECK(doc["dbState"]["blocked_cis"]["docCount"].GetUint64() == 1113887);
        CHECK(doc["dbState"]["min_price"]["docCount"].GetUint64() == 0);
    }

    TEST_CASE("base64 round trip and strict decoding") {
        for (const std::string& text :
             {std::string(), std::string("a"), std::string("ab"), std::string("abc"),
              std::string("admin:admin"), std::string("\x1d\0\xff", 3)}) {
            const std::string encoded = base64_encode(text);
            char out[64];
            const auto n = base64_decode(encoded, out, sizeof out);
            REQUIRE(n);
            CHECK(std::string(out, *n) == text);
        }
        CHECK(base64_encode("admin:admin") == "YWRtaW46YWRtaW4=");
        char out[8];
        CHECK(!base64_decode("YWRt!W4=", out, sizeof out));
        CHECK(!base64_decode("YWR", out, sizeof out));
        CHECK(!base64_decode("YW=t", out, sizeof out));
        CHECK(!base64_decode("YWRtaW46YWRtaW4=", out, 4));  // does not fit
    }
}

#include "protocol/codes/marking_code.hpp"

TEST_SUITE("lm.models") {
    TEST_CASE("a tobacco pack's КИ alone (21 characters) is what POS software sends the LM") {
        const auto parsed = parse_marking_code("00840147505712Zz;ZnRb");
        REQUIRE(parsed);
        CHECK(parsed.code.kind() == CodeKind::tobacco_pack);
        CHECK(parsed.code.ki() == "00840147505712Zz;ZnRb");
        CHECK(parsed.code.gtin() == "00840147505712");
        CHECK(!parsed.code.pack_mrp());
        CHECK(!parsed.code.has_crypto_tail());
        const auto full = parse_marking_code("04601653035829H;dV)bFABVUdGVz");
        REQUIRE(full);
        CHECK(full.code.ki() == "04601653035829H;dV)bF");
        CHECK(parse_marking_code(full.code.ki()).code.ki() == full.code.ki());
    }
}

TEST_SUITE("lm.models") {
    TEST_CASE("regression: a GS right after the GTIN as the only separator (found by fuzzing)") {
        const auto first = parse_marking_code(
            "0104670540176099\x1d"
            "215'W9Um93dGVz");
        REQUIRE(first);
        const auto again = parse_marking_code(first.code.full());
        REQUIRE(again);
        CHECK(again.code.ki() == first.code.ki());
        CHECK(first.code.ki() == "0104670540176099215'W9Um");
    }
}
