// The ТС ПИоТ POS-facing API (protocol/tspiot/tspiot_answer.hpp, tspiot-kkt.md §A.4): request decoding
// (base64 codes with GS inside, v3 objects, client_info) and the answer shapes of every version.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

#include "protocol/text/base64.hpp"
#include "protocol/decision/tag1260.hpp"
#include "protocol/tspiot/tspiot_answer.hpp"

using namespace piotd::protocol;

namespace {

// §A.4.2, the ESM configurator's example, verbatim.
constexpr std::string_view kExample =
    R"({"codes": ["MDEwNjI3MTU4MjY5MjIyNjIxNU1OMDsmHTkxRkZEMB05MmRHVnpkR1owcW9BZnVxV3pRUXRTbDZVRmJaWU9HSFdwOTgrd3FQRTl0TTQ9"],
 "client_info": {"name": "Postman", "version": "3.6.4",
                 "id": "8866a527-8da1-4ac9-b48b-b2b88f692a29", "token": "6312020b-4cd4-4fac-9217-f4499fa9c624"}})";
constexpr std::string_view kExampleCode =
    "0106271582692226215MN0;&\x1d"
    "91FFD0\x1d"
    "92dGVzdGZ0qoAfuqWzQQtSl6UFbZYOGHWp98+wqPE9tM4=";

template <typename Write>
std::string render(Write write) {
    piotd::protocol::JsonBuffer buffer;
    JsonWriter writer(buffer);
    write(writer);
    return {buffer.GetString(), buffer.GetSize()};
}

rapidjson::Document json(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

}  // namespace

TEST_SUITE("protocol.tspiot_answer") {
    TEST_CASE("the §A.4.2 example decodes to the code with its two GS") {
        const auto request = decode_tspiot_check_request(kExample, 100);
        REQUIRE(request.error == RequestError::none);
        REQUIRE(request.codes.size() == 1);
        CHECK(request.codes[0].code == kExampleCode);
        CHECK_FALSE(request.codes[0].pg);
        REQUIRE(request.client_info);
        CHECK(request.client_info->name == "Postman");
        CHECK(request.client_info->version == "3.6.4");
        CHECK(request.client_info->id == "8866a527-8da1-4ac9-b48b-b2b88f692a29");
        CHECK(request.client_info->token == "6312020b-4cd4-4fac-9217-f4499fa9c624");
    }

    TEST_CASE("base64 round trip with GS inside, v3 objects with pg, mixed shapes") {
        const std::string a =
            "0104670540176099215'W9Um\x1d"
            "93dGVz";
        const std::string b =
            "010461013628057121%798DM%\x1d"
            "8005090000\x1d"
            "93dGVz";
        const std::string c = "04601653035829H;dV)bFABVUdGVz";
        CHECK(base64_encode(a) == "MDEwNDY3MDU0MDE3NjA5OTIxNSdXOVVtHTkzZEdWeg==");
        const std::string body = R"({"codes":[")" + base64_encode(a) + R"(",{"cis":")" +
                                 base64_encode(b) + R"(","pg":3},{"cis":")" + base64_encode(c) +
                                 R"(","pg":null}]})";
        const auto request = decode_tspiot_check_request(body, 100);
        REQUIRE(request.error == RequestError::none);
        REQUIRE(request.codes.size() == 3);
        CHECK(request.codes[0].code == a);
        CHECK(request.codes[1].code == b);
        CHECK(request.codes[1].pg == 3);
        CHECK(request.codes[2].code == c);
        CHECK_FALSE(request.codes[2].pg);
        CHECK_FALSE(request.client_info);
    }

    TEST_CASE("bad requests: clear errors naming the entry") {
        struct Case {
            std::string body;
            RequestError error;
            std::string_view detail_part;
        };
        const std::string too_long = base64_encode(std::string(kMaxCodeLength + 1, 'A'));
        const Case cases[] = {
            {"", RequestError::invalid_json, "not valid JSON"},
            {"[]", RequestError::invalid_json, "object"},
            {"{}", RequestError::missing_field, "codes is missing"},
            {R"({"codes":"x"})", RequestError::invalid_field, "codes must be an array"},
            {R"({"codes":[]})", RequestError::empty_list, "empty"},
            {R"({"codes":["MDE=","MDE="]})", RequestError::too_many_codes, "at most 1"},
            {R"({"codes":[1]})", RequestError::invalid_field, "codes[0] must be"},
            {R"({"codes":["not base64!"]})", RequestError::invalid_field,
             "codes[0] must be padded base64"},
            {R"({"codes":["MDE"]})", RequestError::invalid_field, "codes[0] must be padded base64"},
            {R"({"codes":[""]})", RequestError::invalid_field, "codes[0] must be padded base64"},
            {R"({"codes":[")" + too_long + R"("]})", RequestError::invalid_field,
             "codes[0] must be padded"},
            {R"({"codes":[{"pg":3}]})", RequestError::missing_field, "codes[0].cis is missing"},
            {R"({"codes":[{"cis":5}]})", RequestError::invalid_field,
             "codes[0].cis must be a string"},
            {R"({"codes":[{"cis":"MDE=","pg":"3"}]})", RequestError::invalid_field, "codes[0].pg"},
            {R"({"codes":["MDE="],"client_info":[]})", RequestError::invalid_field,
             "client_info must"},
            {R"({"codes":["MDE="],"client_info":{"name":1}})", RequestError::invalid_field,
             "client_info.name must be a string"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.body);
            const std::size_t max = c.error == RequestError::too_many_codes ? 1 : 100;
            const auto request = decode_tspiot_check_request(c.body, max);
            CHECK(request.error == c.error);
            CHECK(request.detail.find(c.detail_part) != std::string::npos);
        }
    }

    TEST_CASE("v1 nests codesResponse twice; v2/v3 are flat with code and message null") {
        const std::string upstream = R"({"cis":"c","found":true,"sold":false})";
        SaleDecision decision;
        const TsPiotCodeAnswer code{upstream, nullptr, &decision, ""};
        TsPiotCodeResponse response;
        response.req_id = "f7b51a1b-75f0-4c3b-8843-52daa4765dea";
        response.req_timestamp_ms = 1773524146442;
        response.codes = {&code, 1};
        const std::string v1 = render([&](JsonWriter& w) {
            write_tspiot_check_answer(w, {&response, 1}, TsPiotApiVersion::v1);
        });
        CHECK(v1 ==
              R"({"codesResponse":{"codesResponse":[{"code":0,"description":"ok","codes":[)"
              R"({"cis":"c","found":true,"sold":false,"isSaleAllowed":true,"reasons":[]}],)"
              R"("reqId":"f7b51a1b-75f0-4c3b-8843-52daa4765dea","reqTimestamp":1773524146442,)"
              R"("isCheckedOffline":false}]}})");
        for (const auto api : {TsPiotApiVersion::v2, TsPiotApiVersion::v3}) {
            const std::string flat = render([&](JsonWriter& w) {
                write_tspiot_check_answer(w, {&response, 1}, api);
            });
            CHECK(flat ==
                  R"({"codesResponse":[{"code":0,"description":"ok","codes":[)"
                  R"({"cis":"c","found":true,"sold":false,"isSaleAllowed":true,"reasons":[]}],)"
                  R"("reqId":"f7b51a1b-75f0-4c3b-8843-52daa4765dea","reqTimestamp":1773524146442,)"
                  R"("isCheckedOffline":false}],"code":null,"message":null})");
        }
    }

    TEST_CASE("the upstream object is echoed byte for byte, piotd's members appended inside it") {
        const std::string upstream = "{ \"cis\" : \"a\\u001db\",\n \"mrp\":20000 }  ";
        SaleDecision decision;
        decision.add(ReasonId::price_below_mrp);
        decision.min_price_kopecks = 20000;
        const TsPiotCodeAnswer code{upstream, nullptr, &decision, "UUID=u&Time=1"};
        TsPiotCodeResponse response;
        response.codes = {&code, 1};
        const std::string out = render([&](JsonWriter& w) {
            write_tspiot_check_answer(w, {&response, 1}, TsPiotApiVersion::v2);
        });
        const std::string kept = "{ \"cis\" : \"a\\u001db\",\n \"mrp\":20000 ,";
        CHECK(
            out.find(
                kept +
                R"("isSaleAllowed":false,"reasons":[{"code":"price_below_mrp","refuses":true,)") !=
            std::string::npos);
        const auto doc = json(out);
        const auto& c = doc["codesResponse"][0]["codes"][0];
        CHECK(std::string(c["cis"].GetString()) ==
              "a\x1d"
              "b");
        CHECK(c["minPrice"].GetInt() == 20000);
        CHECK(std::string(c["reasons"][0]["messageRu"].GetString()) ==
              reason(ReasonId::price_below_mrp).message_ru);
        CHECK(std::string(c["tag1260"]["industryPropValue"].GetString()) == "UUID=u&Time=1");
        CHECK(std::string(c["tag1260"]["tlv"].GetString()) ==
              to_hex(*encode_tag1260("UUID=u&Time=1")));
    }

    TEST_CASE("an upstream that sends piotd's member names cannot make a duplicate key") {
        const std::string upstream =
            R"({"cis":"c","isSaleAllowed":true,"reasons":"x","sold":true,"tag1260":1,"n":{"a":[1]}})";
        SaleDecision decision;
        decision.add(ReasonId::sold);
        const TsPiotCodeAnswer code{upstream, nullptr, &decision, ""};
        TsPiotCodeResponse response;
        response.codes = {&code, 1};
        const std::string out = render([&](JsonWriter& w) {
            write_tspiot_check_answer(w, {&response, 1}, TsPiotApiVersion::v2);
        });
        CHECK(
            out.find(
                R"("codes":[{"cis":"c","sold":true,"n":{"a":[1]},"isSaleAllowed":false,"reasons":[{)") !=
            std::string::npos);
        std::size_t count = 0;
        for (std::size_t at = out.find("isSaleAllowed"); at != std::string::npos;
             at = out.find("isSaleAllowed", at + 1))
            ++count;
        CHECK(count == 1);
        // Nothing of piotd's to add: the upstream goes out as it came.
        const TsPiotCodeAnswer bare{upstream, nullptr, nullptr, ""};
        response.codes = {&bare, 1};
        CHECK(render([&](JsonWriter& w) {
                  write_tspiot_check_answer(w, {&response, 1}, TsPiotApiVersion::v2);
              }).find(upstream) != std::string::npos);
    }

    TEST_CASE("an empty upstream object, and no verdict: written unchanged") {
        const TsPiotCodeAnswer empty_with_verdict{"{}", nullptr, nullptr, "UUID=u&Time=1"};
        const TsPiotCodeAnswer bare{R"({"cis":"x"})", nullptr, nullptr, ""};
        const TsPiotCodeAnswer codes[] = {empty_with_verdict, bare};
        TsPiotCodeResponse response;
        response.codes = codes;
        const std::string out = render([&](JsonWriter& w) {
            write_tspiot_check_answer(w, {&response, 1}, TsPiotApiVersion::v2);
        });
        CHECK(out.find(R"("codes":[{"tag1260":{)") != std::string::npos);
        CHECK(out.find(R"(},{"cis":"x"}])") != std::string::npos);
        json(out);
    }

    TEST_CASE("offline: the LM result in the True API shape, isCheckedOffline, inst and version") {
        LmCodeResult lm;
        lm.cis = "0104607010350246215kRdG-1%2(UmV";
        lm.gtin = "04607010350246";
        lm.print_view = lm.cis;
        lm.is_blocked = true;
        lm.smp = 13500;
        SaleDecision decision;
        decision.add(ReasonId::blocked);
        const TsPiotCodeAnswer code{"", &lm, &decision, ""};
        TsPiotCodeResponse response;
        response.req_id = "5d0b2f54-3a7e-4b8e-9a55-0c2f3f1f9a11";
        response.req_timestamp_ms = 1773524146442;
        response.checked_offline = true;
        response.inst = "84c4d96a-1c44-4660-a1a2-1b0220f72d07";
        response.version = "0.1.0";
        response.codes = {&code, 1};
        const std::string out = render([&](JsonWriter& w) {
            write_tspiot_check_answer(w, {&response, 1}, TsPiotApiVersion::v1);
        });
        CHECK(
            out ==
            R"({"codesResponse":{"codesResponse":[{"code":0,"description":"ok","codes":[{)"
            R"("cis":"0104607010350246215kRdG-1%2(UmV","gtin":"04607010350246",)"
            R"("printView":"0104607010350246215kRdG-1%2(UmV","found":false,"valid":false,)"
            R"("verified":false,"utilised":false,"realizable":false,"isBlocked":true,"sold":false,)"
            R"("smp":13500,"errorCode":0,"isSaleAllowed":false,"reasons":[{"code":"blocked",)"
            R"("refuses":true,"messageRu":")" +
                std::string(reason(ReasonId::blocked).message_ru) + R"(","messageEn":")" +
                std::string(reason(ReasonId::blocked).message_en) +
                R"("}]}],"reqId":"5d0b2f54-3a7e-4b8e-9a55-0c2f3f1f9a11",)"
                R"("reqTimestamp":1773524146442,"isCheckedOffline":true,)"
                R"("inst":"84c4d96a-1c44-4660-a1a2-1b0220f72d07","version":"0.1.0"}]}})");
    }

    TEST_CASE("several CodeResponses (some codes online, some offline) in one answer") {
        const TsPiotCodeAnswer online{R"({"cis":"a"})", nullptr, nullptr, ""};
        LmCodeResult lm;
        lm.cis = "b";
        const TsPiotCodeAnswer offline{"", &lm, nullptr, ""};
        TsPiotCodeResponse responses[2];
        responses[0].codes = {&online, 1};
        responses[1].codes = {&offline, 1};
        responses[1].checked_offline = true;
        const auto doc = json(render(
            [&](JsonWriter& w) { write_tspiot_check_answer(w, responses, TsPiotApiVersion::v3); }));
        REQUIRE(doc["codesResponse"].Size() == 2);
        CHECK_FALSE(doc["codesResponse"][0]["isCheckedOffline"].GetBool());
        CHECK_FALSE(doc["codesResponse"][0].HasMember("inst"));
        CHECK(doc["codesResponse"][1]["isCheckedOffline"].GetBool());
        CHECK(doc["codesResponse"][1].HasMember("inst"));
        CHECK(doc["code"].IsNull());
    }

    TEST_CASE("emergency (203) body") {
        const std::string_view details[] = {"ГИС МТ не отвечает", "ЛМ не готов"};
        CHECK(
            render([&](JsonWriter& w) { write_tspiot_emergency(w, "аварийный режим", details); }) ==
            R"({"code":203,"message":"аварийный режим","details":["ГИС МТ не отвечает","ЛМ не готов"]})");
    }

    TEST_CASE("info, with and without the local module") {
        TsPiotInfo info;
        info.tspiot_id = "t1";
        info.kkt_serial = "00106708123456";
        info.fn_serial = "7284440700391860";
        info.kkt_inn = "7700000001";
        info.codes_check_timeout_ms = 1500;
        for (const auto api : {TsPiotApiVersion::v1, TsPiotApiVersion::v2, TsPiotApiVersion::v3}) {
            CHECK(render([&](JsonWriter& w) { write_tspiot_info(w, info, api); }) ==
                  R"({"tspiotId":"t1","kktSerial":"00106708123456","fnSerial":"7284440700391860",)"
                  R"("kktInn":"7700000001","codesCheckTimeout":1500})");
        }
        info.lm =
            TsPiotLmInfo{"0.1.0", "ready", "84c4d96a-1c44-4660-a1a2-1b0220f72d07", 1773524146442};
        CHECK(
            render([&](JsonWriter& w) { write_tspiot_info(w, info, TsPiotApiVersion::v2); })
                .ends_with(
                    R"("codesCheckTimeout":1500,"lm":{"version":"0.1.0","status":"ready",)"
                    R"("inst":"84c4d96a-1c44-4660-a1a2-1b0220f72d07","lastSync":1773524146442}})"));
    }
}
