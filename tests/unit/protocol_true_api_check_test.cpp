// The True API codes/check request body and answer parser (protocol/trueapi/true_api_check.hpp,
// lm-api.md §6.4, §9 E6) and the ISO date-times in it (protocol/text/iso_datetime.hpp).
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "protocol/text/iso_datetime.hpp"
#include "protocol/trueapi/true_api_check.hpp"

using namespace piotd::protocol;

namespace {

// §9 E6, verbatim.
constexpr std::string_view kE6 =
    R"({"code":0,"description":"ok","reqId":"f7b51a1b-75f0-4c3b-8843-52daa4765dea","reqTimestamp":1773524146442,
 "codes":[{"cis":"00840147505712Zz;ZnRbAAAAdGVz","found":true,"valid":true,"printView":"00840147505712Zz;ZnRb",
   "gtin":"00840147505712","groupIds":[16],"verified":true,"realizable":true,"utilised":true,
   "productionDate":"2025-09-18T00:00:00.000Z","isOwner":true,"isBlocked":false,"errorCode":0,
   "isTracking":false,"sold":false,"mrp":20000,"grayZone":false,"packageType":"UNIT","producerInn":"7731376812"}]})";

TrueApiCheckParse parse(std::string_view body) {
    return parse_true_api_check_answer(body);
}

std::string one_code(std::string_view members) {
    return R"({"code":0,"description":"ok","reqId":"r","reqTimestamp":1,"codes":[{)" +
           std::string(members) + "}]}";
}

}  // namespace

TEST_SUITE("protocol.true_api_check") {
    TEST_CASE("request body: full codes with GS escaped as lowercase \\u001d, fiscalDriveNumber") {
        const std::vector<std::string_view> codes{
            "0104670540176099215'W9Um\x1d"
            "93dGVz",
            "04601653035829H;dV)bFABVUdGVz"};
        CHECK(
            build_true_api_check_body(codes, "7284440700391860") ==
            R"({"codes":["0104670540176099215'W9Um\u001d93dGVz","04601653035829H;dV)bFABVUdGVz"],)"
            R"("fiscalDriveNumber":"7284440700391860"})");
    }

    TEST_CASE("request body: quotes, backslashes and control bytes are escaped; no drive number") {
        const std::vector<std::string_view> codes{"01234\"5\\6\x01\x7f"};
        CHECK(build_true_api_check_body(codes, "") == R"({"codes":["01234\"5\\6\u0001\u007f"]})");
        CHECK(build_true_api_check_body({}, "") == R"({"codes":[]})");
    }

    TEST_CASE("E6 parses field for field, and the code object is kept byte for byte") {
        const auto result = parse(kE6);
        REQUIRE(result);
        const TrueApiCheckAnswer& a = result.answer;
        CHECK(a.code == 0);
        CHECK(a.description == "ok");
        CHECK(a.req_id == "f7b51a1b-75f0-4c3b-8843-52daa4765dea");
        CHECK(a.req_timestamp_ms == 1773524146442);
        REQUIRE(a.codes.size() == 1);
        const TrueApiCodeResult& c = a.codes[0];
        CHECK(c.cis == "00840147505712Zz;ZnRbAAAAdGVz");
        CHECK(c.found == true);
        CHECK(c.valid == true);
        CHECK(c.print_view == "00840147505712Zz;ZnRb");
        CHECK(c.gtin == "00840147505712");
        CHECK(c.group_ids == std::vector<int>{16});
        CHECK(c.in_group(16));
        CHECK_FALSE(c.in_group(3));
        CHECK(c.verified == true);
        CHECK(c.realizable == true);
        CHECK(c.utilised == true);
        CHECK(c.production_date == "2025-09-18T00:00:00.000Z");
        CHECK(c.production_date_ms == 1758153600000);
        CHECK(c.is_owner == true);
        CHECK(c.is_blocked == false);
        CHECK(c.error_code == 0);
        CHECK(c.is_tracking == false);
        CHECK(c.sold == false);
        CHECK(c.mrp == 20000);
        CHECK(c.gray_zone == false);
        CHECK(c.package_type == "UNIT");
        CHECK(c.producer_inn == "7731376812");
        // Absent fields stay absent.
        CHECK_FALSE(c.expire_date);
        CHECK_FALSE(c.smp);
        CHECK_FALSE(c.package_quantity);
        CHECK(c.ogvs.empty());
        const std::size_t begin = kE6.find("{\"cis\"");
        const std::size_t end = kE6.find("}]}") + 1;
        CHECK(c.raw_json == kE6.substr(begin, end - begin));
    }

    TEST_CASE("every §6.4 field is read") {
        const auto result = parse(one_code(
            R"("cis":"c","valid":true,"printView":"p","gtin":"g","groupIds":[3,12],"verified":false,)"
            R"("found":true,"realizable":false,"utilised":true,"isBlocked":true,"ogvs":["RAR","FTS"],)"
            R"("sold":true,"expireDate":"2026-01-31T10:00:00.000+03:00",)"
            R"("variableExpirations":{"storageConditions":[{"t":4,"d":"2026-02-01"}]},)"
            R"("productionDate":"2025-12-01","productWeight":950,"prVetDocument":"vsd","isOwner":false,)"
            R"("errorCode":6,"message":"m","isTracking":true,"eliminationState":"BY_SAMPLES",)"
            R"("mrp":14500,"smp":13500,"grayZone":true,"innerUnitCount":20,"soldUnitCount":3,)"
            R"("packageType":"GROUP","parent":"par","producerInn":"inn","productionSerialNumber":"psn",)"
            R"("productionBatchNumber":"pbn","factorySerialNumber":"fsn","packageQuantity":10)"));
        REQUIRE(result);
        const TrueApiCodeResult& c = result.answer.codes[0];
        CHECK(c.group_ids == std::vector<int>{3, 12});
        CHECK(c.verified == false);
        CHECK(c.realizable == false);
        CHECK(c.is_blocked == true);
        CHECK(c.ogvs == std::vector<std::string>{"RAR", "FTS"});
        CHECK(c.sold == true);
        CHECK(c.expire_date == "2026-01-31T10:00:00.000+03:00");
        CHECK(c.expire_date_ms == 1769842800000);  // 07:00 UTC
        CHECK(c.variable_expirations == R"({"storageConditions":[{"t":4,"d":"2026-02-01"}]})");
        CHECK(c.production_date_ms == 1764547200000);
        CHECK(c.product_weight == 950);
        CHECK(c.pr_vet_document == "vsd");
        CHECK(c.is_owner == false);
        CHECK(c.error_code == 6);
        CHECK(c.message == "m");
        CHECK(c.is_tracking == true);
        CHECK(c.elimination_state == "BY_SAMPLES");
        CHECK(c.mrp == 14500);
        CHECK(c.smp == 13500);
        CHECK(c.gray_zone == true);
        CHECK(c.inner_unit_count == 20);
        CHECK(c.sold_unit_count == 3);
        CHECK(c.package_type == "GROUP");
        CHECK(c.parent == "par");
        CHECK(c.producer_inn == "inn");
        CHECK(c.production_serial_number == "psn");
        CHECK(c.production_batch_number == "pbn");
        CHECK(c.factory_serial_number == "fsn");
        CHECK(c.package_quantity == 10);
    }

    TEST_CASE("eliminationState may be a number; null means absent") {
        const auto result =
            parse(one_code(R"("eliminationState":2,"sold":null,"mrp":null,"groupIds":null)"));
        REQUIRE(result);
        CHECK(result.answer.codes[0].elimination_state == "2");
        CHECK_FALSE(result.answer.codes[0].sold);
        CHECK_FALSE(result.answer.codes[0].mrp);
        CHECK(result.answer.codes[0].group_ids.empty());
    }

    TEST_CASE("raw_json is exact for several codes, odd spacing, nested objects and escapes") {
        const std::string a =
            R"({ "cis" : "a\u001db\"}" , "variableExpirations":{"x":[{},{"y":"}"}]} })";
        const std::string b = "{}";
        const std::string c = "{\"cis\":\"\xd0\x9a\"}";
        const std::string body =
            "\xef\xbb\xbf {\"codes\" :\n [ " + a + " ,\n" + b + "," + c +
            "], \"code\":0,\"reqId\":\"r\",\"reqTimestamp\":5, \"x\":{\"codes\":[{}]}}";
        const auto result = parse(body);
        REQUIRE(result);
        REQUIRE(result.answer.codes.size() == 3);
        CHECK(result.answer.codes[0].raw_json == a);
        CHECK(result.answer.codes[0].cis ==
              "a\x1d"
              "b\"}");
        CHECK(result.answer.codes[1].raw_json == b);
        CHECK(result.answer.codes[2].raw_json == c);
    }

    TEST_CASE("a non-zero code is a well-formed answer without codes (5000: transborder down)") {
        const auto result = parse(R"({"code":5000,"description":"Сервис недоступен"})");
        REQUIRE(result);
        CHECK(result.answer.code == 5000);
        CHECK(result.answer.description == "Сервис недоступен");
        CHECK(result.answer.codes.empty());
    }

    TEST_CASE("garbage is an error, with a detail naming the field") {
        struct Case {
            std::string_view body;
            TrueApiAnswerError error;
            std::string_view detail_part;
        };
        const Case cases[] = {
            {"", TrueApiAnswerError::invalid_json, "not valid JSON"},
            {"<html>502 Bad Gateway</html>", TrueApiAnswerError::invalid_json, "not valid JSON"},
            {R"({"code":0} trailing)", TrueApiAnswerError::invalid_json, "not valid JSON"},
            {"[1,2]", TrueApiAnswerError::invalid_json, "object"},
            {R"({"description":"ok"})", TrueApiAnswerError::missing_field, "answer.code"},
            {R"({"code":"0"})", TrueApiAnswerError::invalid_field, "answer.code"},
            {R"({"code":0.5})", TrueApiAnswerError::invalid_field, "answer.code"},
            {R"({"code":0,"reqTimestamp":1,"codes":[]})", TrueApiAnswerError::missing_field,
             "reqId"},
            {R"({"code":0,"reqId":"r","codes":[]})", TrueApiAnswerError::missing_field,
             "reqTimestamp"},
            {R"({"code":0,"reqId":"r","reqTimestamp":1})", TrueApiAnswerError::missing_field,
             "codes"},
            {R"({"code":0,"reqId":"r","reqTimestamp":"1","codes":[]})",
             TrueApiAnswerError::invalid_field, "reqTimestamp"},
            {R"({"code":0,"reqId":7,"reqTimestamp":1,"codes":[]})",
             TrueApiAnswerError::invalid_field, "reqId"},
            {R"({"code":0,"reqId":"r","reqTimestamp":1,"codes":{}})",
             TrueApiAnswerError::invalid_field, "answer.codes must be an array"},
            {R"({"code":0,"reqId":"r","reqTimestamp":1,"codes":["x"]})",
             TrueApiAnswerError::invalid_field, "answer.codes[0] must be an object"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.body);
            const auto result = parse(c.body);
            CHECK_FALSE(result);
            CHECK(result.error == c.error);
            CHECK(result.detail.find(c.detail_part) != std::string::npos);
        }
    }

    TEST_CASE("a per-code field of the wrong type is an error naming it") {
        const std::pair<std::string_view, std::string_view> cases[] = {
            {R"("valid":"true")", "answer.codes[0].valid must be a boolean"},
            {R"("sold":1)", "answer.codes[0].sold must be a boolean"},
            {R"("groupIds":3)", "answer.codes[0].groupIds must be an array of integers"},
            {R"("groupIds":["3"])", "answer.codes[0].groupIds must be an array of integers"},
            {R"("ogvs":[1])", "answer.codes[0].ogvs must be an array of strings"},
            {R"("mrp":"100")", "answer.codes[0].mrp must be an integer"},
            {R"("mrp":1.5)", "answer.codes[0].mrp must be an integer"},
            {R"("errorCode":true)", "answer.codes[0].errorCode must be an integer"},
            {R"("cis":[])", "answer.codes[0].cis must be a string"},
            {R"("expireDate":"31.01.2026")",
             "answer.codes[0].expireDate must be an ISO-8601 date-time"},
            {R"("expireDate":"2026-02-30")",
             "answer.codes[0].expireDate must be an ISO-8601 date-time"},
            {R"("variableExpirations":"x")",
             "answer.codes[0].variableExpirations must be an object"},
            {R"("eliminationState":true)",
             "answer.codes[0].eliminationState must be a string or an integer"},
        };
        for (const auto& [members, detail] : cases) {
            CAPTURE(members);
            const auto result = parse(one_code(members));
            CHECK(result.error == TrueApiAnswerError::invalid_field);
            CHECK(result.detail == detail);
        }
    }

    TEST_CASE("deep nesting and huge code lists are refused, not crashed on") {
        std::string deep = R"({"code":0,"reqId":"r","reqTimestamp":1,"codes":[{"parent":)";
        deep += std::string(100000, '[') + std::string(100000, ']') + "}]}";
        // Refused by the depth scan, before any DOM is built (protocol/json/upstream_json.hpp).
        const auto refused = parse(deep);
        CHECK(refused.error == TrueApiAnswerError::invalid_json);
        CHECK(refused.detail == "answer is nested deeper than 32 levels");
        std::string many = R"({"code":0,"reqId":"r","reqTimestamp":1,"codes":[)";
        for (std::size_t i = 0; i <= kMaxTrueApiAnswerCodes; ++i) many += i == 0 ? "{}" : ",{}";
        many += "]}";
        CHECK(parse(many).error == TrueApiAnswerError::too_many_codes);
    }

    TEST_CASE("hostile bytes: every truncation and many mutations of E6 parse or fail cleanly") {
        std::uint64_t state = 0x9e3779b97f4a7c15ull;
        auto next = [&state] {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return state;
        };
        const std::string base(kE6);
        for (std::size_t cut = 0; cut < base.size(); ++cut) {
            CHECK_FALSE(parse(std::string_view(base).substr(0, cut)));
        }
        std::size_t parsed = 0;
        for (int i = 0; i < 20000; ++i) {
            std::string body = base;
            const int edits = 1 + static_cast<int>(next() % 4);
            for (int e = 0; e < edits; ++e) {
                body[next() % body.size()] = static_cast<char>(next() & 0xFF);
            }
            const auto result = parse(body);
            if (!result) {
                CHECK_FALSE(result.detail.empty());
                continue;
            }
            ++parsed;
            for (const auto& code : result.answer.codes) {
                // The kept text is a slice of the body: one whole object.
                CHECK(body.find(code.raw_json) != std::string::npos);
                CHECK(code.raw_json.front() == '{');
                CHECK(code.raw_json.back() == '}');
            }
        }
        CHECK(parsed > 0);
    }

    TEST_CASE("error names are stable") {
        CHECK(true_api_answer_error_name(TrueApiAnswerError::invalid_json) == "invalid_json");
        CHECK(true_api_answer_error_name(TrueApiAnswerError::missing_field) == "missing_field");
        CHECK(true_api_answer_error_name(TrueApiAnswerError::invalid_field) == "invalid_field");
        CHECK(true_api_answer_error_name(TrueApiAnswerError::too_many_codes) == "too_many_codes");
    }
}

TEST_SUITE("protocol.iso_datetime") {
    TEST_CASE("the True API pattern and its variants") {
        CHECK(parse_iso_datetime_ms("1970-01-01T00:00:00.000Z") == 0);
        CHECK(parse_iso_datetime_ms("2025-09-18T00:00:00.000Z") == 1758153600000);
        CHECK(parse_iso_datetime_ms("2025-09-18") == 1758153600000);
        CHECK(parse_iso_datetime_ms("2025-09-18T00:00Z") == 1758153600000);
        CHECK(parse_iso_datetime_ms("2025-09-18 03:00:00+03:00") == 1758153600000);
        CHECK(parse_iso_datetime_ms("2025-09-18T03:00:00+0300") == 1758153600000);
        CHECK(parse_iso_datetime_ms("2025-09-17T21:00:00-03") == 1758153600000);
        CHECK(parse_iso_datetime_ms("2024-08-09T05:24:19.685Z") == 1723181059685);
        CHECK(parse_iso_datetime_ms("2024-08-09T05:24:19.6Z") == 1723181059600);
        CHECK(parse_iso_datetime_ms("2024-08-09T05:24:19.685123456Z") == 1723181059685);
        CHECK(parse_iso_datetime_ms("2024-02-29") == 1709164800000);
        CHECK(parse_iso_datetime_ms("1969-12-31T23:59:59.999Z") == -1);
    }

    TEST_CASE("anything else is refused") {
        for (const std::string_view bad :
             {"", "2025", "2025-9-18", "2025-09-18T", "2025-09-18T24:00Z", "2025-09-18T10:60Z",
              "2025-13-01", "2025-00-10", "2025-02-29", "2025-04-31", "2025-09-18T00:00:00.Z",
              "2025-09-18T00:00:00.000", "2025-09-18T00:00:00.000ZZ", "2025-09-18T00:00:00+25:00",
              "2025-09-18T00:00:00+03:", "18.09.2025", "2025-09-18x",
              "2025-09-18T00:00:00.1234567890Z"}) {
            CAPTURE(bad);
            // "2025-09-18T00:00:00.000" (no zone) is accepted as UTC; everything else here is not.
            if (bad == "2025-09-18T00:00:00.000") {
                CHECK(parse_iso_datetime_ms(bad) == 1758153600000);
            } else {
                CHECK_FALSE(parse_iso_datetime_ms(bad));
            }
        }
    }
}
