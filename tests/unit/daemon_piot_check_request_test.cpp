// The body of POST /api/v1/piot/check and the [trueapi] config keys.
#include <doctest/doctest.h>

#include "daemon/config.hpp"
#include "daemon/permissive/piot_check_request.hpp"

using namespace piotd::daemon;

TEST_SUITE("daemon.piot_check_request") {
    TEST_CASE("items with code, price, quantity and pg; GS written as \\u001d") {
        const auto request = parse_piot_check_request(
            R"({"items":[{"code":"0104670540176099215'W9Um\u001d93dGVz","price":8990,"quantity":2,"pg":8},)"
            R"({"code":"04601653035829H;dV)bFABVUdGVz"}],"fiscalDriveNumber":"7284440700391860"})",
            10);
        REQUIRE(request.error.empty());
        REQUIRE(request.items.size() == 2);
        CHECK(request.items[0].code.full() ==
              "0104670540176099215'W9Um\x1d"
              "93dGVz");
        CHECK(request.items[0].price_kopecks == 8990);
        CHECK(request.items[0].quantity == 2);
        CHECK(request.items[0].product_group == 8);
        CHECK_FALSE(request.items[1].price_kopecks.has_value());
        CHECK(request.fiscal_drive_number == "7284440700391860");
    }

    TEST_CASE("bad bodies name what is wrong") {
        CHECK(parse_piot_check_request("{", 10).invalid_json);
        CHECK(parse_piot_check_request("[]", 10).invalid_json);
        CHECK(parse_piot_check_request(R"({"items":[]})", 10).error.find("items") !=
              std::string::npos);
        CHECK(parse_piot_check_request(R"({"items":[1]})", 10).error ==
              "items[0] must be an object");
        CHECK(parse_piot_check_request(R"({"items":[{"code":"x"}]})", 10).invalid_code);
        const auto negative = parse_piot_check_request(
            R"({"items":[{"code":"04601653035829H;dV)bFABVUdGVz","price":-5}]})", 10);
        CHECK(negative.error == "items[0].price must be a whole number of kopecks");
        const auto zero = parse_piot_check_request(
            R"({"items":[{"code":"04601653035829H;dV)bFABVUdGVz","quantity":0}]})", 10);
        CHECK(zero.error == "items[0].quantity must be a positive whole number");
        CHECK(parse_piot_check_request(R"({"items":[{"code":"a"},{"code":"b"}]})", 1)
                  .error.find("more than 1") != std::string::npos);
        CHECK(parse_piot_check_request(R"({"items":[{"code":"a"}],"fiscalDriveNumber":5})", 10)
                  .error.find("fiscalDriveNumber") != std::string::npos);
    }

    TEST_CASE("[trueapi] keys and their bounds") {
        Config config;
        CHECK(config.trueapi.url == "https://cdn.crpt.ru");
        CHECK(config.trueapi.online_budget_ms == 1500);
        CHECK(config.trueapi.piot_listen == "127.0.0.1:51401");
        set_config_value(config, "trueapi", "url", "http://127.0.0.1:1");
        set_config_value(config, "trueapi", "online_budget_ms", "400");
        set_config_value(config, "trueapi", "parallel_local", "true");
        set_config_value(config, "trueapi", "piot_listen", "");
        CHECK(config.trueapi.url == "http://127.0.0.1:1");
        CHECK(config.trueapi.online_budget_ms == 400);
        CHECK(config.trueapi.parallel_local);
        CHECK(config.trueapi.piot_listen_explicit);
        CHECK_THROWS(set_config_value(config, "trueapi", "online_budget_ms", "10"));
        CHECK_THROWS(set_config_value(config, "trueapi", "parallel_local", "yes"));
        CHECK_THROWS(set_config_value(config, "trueapi", "nope", "1"));
    }
}
