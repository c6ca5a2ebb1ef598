// The relay's document model (protocol/documents/relay_document.hpp), its True API form
// (protocol/trueapi/true_api_document.hpp) and the LM sale bodies (protocol/lm/lm_sale.hpp).
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>

#include "protocol/text/base64.hpp"
#include "protocol/lm/lm_sale.hpp"
#include "protocol/documents/relay_document.hpp"
#include "protocol/trueapi/true_api_document.hpp"

using namespace piotd::protocol;

namespace {

const std::string kCis = "0104603586014674215012516137746";

std::string withdrawal(const std::string& fields = {}) {
    return std::string(R"({"type":"withdrawal","inn":"7700000001","action":"RETAIL",)") +
           R"("action_date":"2026-11-22","document_type":"RECEIPT","document_number":12345,)" +
           R"("fn_number":"7284440700391860","pg":8)" + fields + R"(,"products":[{"cis":")" + kCis +
           "\\u001d93dGVz" + R"(","price":8990}]})";
}

DocumentError error_of(const std::string& body, const std::string& header = {}) {
    const DocumentParse parsed = parse_document(body, header);
    CHECK_FALSE(parsed.ok);
    return parsed.error;
}

rapidjson::Document json(const std::string& text) {
    rapidjson::Document document;
    document.Parse(text.c_str(), text.size());
    REQUIRE_FALSE(document.HasParseError());
    return document;
}

}  // namespace

TEST_SUITE("relay document") {
    TEST_CASE("a full withdrawal parses, the code is cut to its КИ, and round-trips") {
        const DocumentParse parsed = parse_document(withdrawal(), "key-1");
        REQUIRE(parsed.ok);
        const RelayDocument& doc = parsed.document;
        CHECK(doc.id == "key-1");
        CHECK(doc.type == DocumentType::withdrawal);
        CHECK(doc.origin == DocumentOrigin::api);
        CHECK(doc.document_number == "12345");
        CHECK(doc.document_date == "2026-11-22");  // defaults to action_date
        REQUIRE(doc.items.size() == 1);
        CHECK(doc.items[0].cis == kCis);
        CHECK(doc.items[0].price == 8990);
        CHECK(doc.items[0].quantity == 1);

        const std::string canonical = write_document(doc);
        const DocumentParse again = parse_document(canonical, "");
        REQUIRE(again.ok);
        CHECK(write_document(again.document) == canonical);
    }

    TEST_CASE("every rule names its field") {
        CHECK(error_of("[1,2]").json);
        CHECK(error_of("{").json);
        CHECK(error_of(R"({"type":"x"})").field == "type");
        CHECK(error_of(R"({"products":[]})").field == "type");
        CHECK(error_of(withdrawal(R"(,"colour":"red")")).field == "colour");
        CHECK(error_of(withdrawal(), "two words").field == "Idempotency-Key");
        CHECK(error_of(withdrawal(R"(,"id":"a")"), "b").field == "id");
        CHECK(error_of(withdrawal(R"(,"kkt_number":"12ab")")).field == "kkt_number");
        CHECK(error_of(withdrawal(R"(,"paid":true)")).field == "paid");  // returns only
        std::string body = withdrawal();
        body.replace(body.find("RETAIL"), 6, "SELLING");
        CHECK(error_of(body).field == "action");
        body = withdrawal();
        body.replace(body.find("2026-11-22"), 10, "2025-02-29");
        CHECK(error_of(body).field == "action_date");
        body = withdrawal();
        body.replace(body.find("\"RECEIPT\""), 9, "\"UTD\"");
        CHECK(error_of(body).field == "document_type");  // not for a retail sale
        body = withdrawal();
        body.replace(body.find(",\"price\":8990"), 13, "");
        CHECK(error_of(body).field == "products[0].price");
        body = withdrawal();
        body.replace(body.find("8990"), 4, "-1");
        CHECK(error_of(body).field == "products[0].price");
        body = withdrawal();
        body.replace(body.find("7284440700391860"), 16, "123");
        CHECK(error_of(body).field == "fn_number");
        body = withdrawal();
        body.replace(body.find("}]}"), 3, R"(},{"cis":")" + kCis + R"(","price":1}]})");
        const DocumentError duplicate = error_of(body);
        CHECK(duplicate.field == "products[1].cis");
        CHECK(duplicate.message.find("products[0]") != std::string::npos);
        body = withdrawal();
        body.replace(body.find("8990}"), 5, R"(8990,"quantity":2})");
        CHECK(error_of(body).field == "products[0].quantity");
        body = withdrawal();
        body.replace(body.find("8990}"), 5, R"(8990,"quantity":5,"inner_unit_count":4})");
        CHECK(error_of(body).field == "products[0].quantity");
    }

    TEST_CASE("a partial sale and an lm-origin document need only codes") {
        const DocumentParse partial =
            parse_document(R"({"type":"withdrawal","origin":"lm","products":[{"cis":")" + kCis +
                               R"(","quantity":3,"inner_unit_count":10}]})",
                           "");
        REQUIRE(partial.ok);
        CHECK(partial.document.id.empty());  // the caller assigns one
        CHECK(partial.document.items[0].inner_unit_count == 10u);
        CHECK(partial.document.items[0].quantity == 3);
        const auto sale = json(write_lm_sale_request([&] {
            RelayDocument d = partial.document;
            d.id = "s-1";
            return d;
        }()));
        CHECK(std::string(sale["id"].GetString()) == "s-1");
        CHECK(sale["cis_list"][0]["soldUnitCount"].GetUint() == 3);
        CHECK(sale["cis_list"][0]["innerUnitCount"].GetUint() == 10);
        CHECK(valid_document_id("abc-123_X"));
        CHECK_FALSE(valid_document_id(""));
        CHECK_FALSE(valid_document_id("a b"));
        CHECK_FALSE(valid_document_id(std::string(129, 'a')));
    }

    TEST_CASE("True API: LK_RECEIPT and LP_RETURN bodies, the create request, answers") {
        const DocumentParse parsed =
            parse_document(withdrawal(R"(,"kkt_number":"0000000001234567")"), "k");
        REQUIRE(parsed.ok);
        CHECK(true_api_type(parsed.document) == "LK_RECEIPT");
        const std::string body = true_api_body(parsed.document);
        const auto lk = json(body);
        CHECK(std::string(lk["inn"].GetString()) == "7700000001");
        CHECK(std::string(lk["action"].GetString()) == "RETAIL");
        CHECK(std::string(lk["document_type"].GetString()) == "RECEIPT");
        CHECK(std::string(lk["document_number"].GetString()) == "12345");
        CHECK(std::string(lk["kkt_number"].GetString()) == "0000000001234567");
        CHECK(std::string(lk["products"][0]["cis"].GetString()) == kCis);
        CHECK(lk["products"][0]["product_cost"].GetInt() == 8990);

        const auto create = json(true_api_create_request(parsed.document, body, "U0lH"));
        CHECK(std::string(create["document_format"].GetString()) == "MANUAL");
        CHECK(std::string(create["type"].GetString()) == "LK_RECEIPT");
        CHECK(std::string(create["signature"].GetString()) == "U0lH");
        CHECK(std::string(create["product_document"].GetString()) == base64_encode(body));

        const DocumentParse ret = parse_document(
            R"({"type":"return","inn":"7700000001","action":"RETAIL_RETURN","action_date":"2026-11-22",)"
            R"("document_type":"RECEIPT","document_number":"9","fn_number":"7284440700391860","paid":true,)"
            R"("products":[{"cis":")" +
                kCis + R"("}]})",
            "r");
        REQUIRE(ret.ok);
        CHECK(true_api_type(ret.document) == "LP_RETURN");
        const auto lp = json(true_api_body(ret.document));
        CHECK(std::string(lp["trade_participant_inn"].GetString()) == "7700000001");
        CHECK(std::string(lp["return_type"].GetString()) == "RETAIL_RETURN");
        CHECK(lp["paid"].GetBool());
        CHECK(std::string(lp["products_list"][0]["ki"].GetString()) == kCis);
        CHECK(std::string(lp["products_list"][0]["primary_document_type"].GetString()) ==
              "RECEIPT");
        CHECK(std::string(lp["products_list"][0]["primary_document_number"].GetString()) == "9");

        CHECK(parse_created_id("3fa85f64-5717-4562-b3fc-2c963f66afa6\n") ==
              "3fa85f64-5717-4562-b3fc-2c963f66afa6");
        CHECK(parse_created_id("\"abc\"") == "abc");
        CHECK(parse_created_id(R"({"document_id":"x-1"})") == "x-1");
        CHECK_FALSE(parse_created_id("<html>").has_value());
        CHECK(parse_document_info(R"([{"status":"IN_PROGRESS"}])").progress ==
              TrueApiProgress::processing);
        CHECK(parse_document_info(R"({"status":"CHECKED_OK"})").progress ==
              TrueApiProgress::accepted);
        const TrueApiStatus bad =
            parse_document_info(R"({"status":"CHECKED_NOT_OK","errors":["no such code"]})");
        CHECK(bad.progress == TrueApiProgress::rejected);
        CHECK(bad.reason.find("no such code") != std::string::npos);
        CHECK(parse_document_info("garbage").progress == TrueApiProgress::unknown);
        CHECK(true_api_error_text(R"({"error_message":"bad inn"})") == "bad inn");

        CHECK(signature_text("QUJD\nREVG\n") == "QUJDREVG");
        CHECK(signature_text(std::string("\x30\x82\x01", 3)) ==
              base64_encode(std::string("\x30\x82\x01", 3)));
        CHECK_FALSE(signature_text(" \n").has_value());
        CHECK(product_group_name(8) == "milk");
        CHECK(product_group_name(99).empty());
    }
}
