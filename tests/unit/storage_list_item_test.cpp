// Text form of black-list items (storage/list_item.hpp) and list names (storage/list_name.hpp).
#include <doctest/doctest.h>

#include <string>

#include "protocol/codes/marking_code.hpp"
#include "storage/list_item.hpp"
#include "storage/list_name.hpp"

using namespace piotd::storage;

namespace {

std::string key_of(ListName list, std::string_view line) {
    const ListItemParse parsed = parse_list_item(list, line);
    INFO("line: " << line << " error: " << parsed.error);
    REQUIRE(parsed.ok);
    return parsed.item.key;
}

std::string error_of(ListName list, std::string_view line) {
    const ListItemParse parsed = parse_list_item(list, line);
    INFO("line: " << line);
    REQUIRE_FALSE(parsed.ok);
    CHECK_FALSE(parsed.error.empty());
    return parsed.error;
}

}  // namespace

TEST_SUITE("storage.list_item") {
    TEST_CASE("list names") {
        for (const ListName list : kAllLists) CHECK(parse_list_name(list_name(list)) == list);
        CHECK(list_name(ListName::blocked_cis) == "blocked_cis");
        CHECK(list_name(ListName::min_price) == "min_price");
        CHECK_FALSE(parse_list_name("cis").has_value());
        CHECK_FALSE(parse_list_name("").has_value());
    }

    TEST_CASE("blocked_cis: a full code or a КИ gives the КИ") {
        const std::string ki = "0104670540176099215'W9Um";
        CHECK(key_of(ListName::blocked_cis, ki) == ki);
        CHECK(key_of(ListName::blocked_cis, ki + "\x1d"
                                                 "93dGVz") == ki);
        CHECK(key_of(ListName::blocked_cis, "  " + ki + " \r") == ki);
        CHECK(key_of(ListName::blocked_cis, ki + "\r\n") == ki);
        // A tobacco pack: its КИ is the first 21 characters.
        CHECK(key_of(ListName::blocked_cis, "00840147505712Zz;ZnRbAAAAdGVz") ==
              "00840147505712Zz;ZnRb");
        const ListItemParse parsed = parse_list_item(ListName::blocked_cis, ki);
        CHECK(parsed.item.value.empty());
    }

    TEST_CASE("blocked_cis: unparseable codes are rejected with the code error's name") {
        for (const char* bad : {"0104600000000000", "hello", "01046000000000002"}) {
            const auto code = piotd::protocol::parse_marking_code(bad);
            REQUIRE_FALSE(code);
            CHECK(error_of(ListName::blocked_cis, bad) ==
                  "bad marking code: " + std::string(piotd::protocol::code_error_name(code.error)));
        }
        error_of(ListName::blocked_cis, "");
        error_of(ListName::blocked_cis, " \r");
    }

    TEST_CASE("blocked_gtin: 8, 12, 13 and 14 digits, padded to 14") {
        CHECK(key_of(ListName::blocked_gtin, "04601662000016") == "04601662000016");
        CHECK(key_of(ListName::blocked_gtin, "4601662000016") == "04601662000016");
        CHECK(key_of(ListName::blocked_gtin, "036000291452") == "00036000291452");
        CHECK(key_of(ListName::blocked_gtin, "96385074") == "00000096385074");
        CHECK(key_of(ListName::blocked_gtin, " 04601662000016\r") == "04601662000016");
        // The check digit is not enforced (the sandbox blocks GTINs whose check digit fails).
        CHECK(key_of(ListName::blocked_gtin, "04601662000017") == "04601662000017");
        for (const char* bad : {"04601662000", "046016620000160", "0460166200001x",
                                "-4601662000016", "04601662 000016", "1234567", ""}) {
            error_of(ListName::blocked_gtin, bad);
        }
    }

    TEST_CASE("blocked_series: GTIN and a serial prefix") {
        CHECK(key_of(ListName::blocked_series, "04680029460908 5jcm") == "046800294609085jcm");
        CHECK(key_of(ListName::blocked_series, "04680029460908\t\t5jcm\r") == "046800294609085jcm");
        CHECK(key_of(ListName::blocked_series, "4680029460908 !\"%&'()*+,-./:;<=>?_") ==
              "04680029460908!\"%&'()*+,-./:;<=>?_");
        CHECK(key_of(ListName::blocked_series, "04680029460908 12345678901234567890") ==
              "0468002946090812345678901234567890");
        for (const char* bad :
             {"04680029460908", "04680029460908 ", "04680029460908 a b",
              "04680029460908 123456789012345678901", "04680029460 5jcm", "04680029460908 5j#m",
              "04680029460908 5j\x1dm", "5jcm 04680029460908"}) {
            error_of(ListName::blocked_series, bad);
        }
    }

    TEST_CASE("min_price: GTIN and kopecks as u32 little endian") {
        const ListItemParse parsed = parse_list_item(ListName::min_price, "04601653035829 10000");
        REQUIRE(parsed.ok);
        CHECK(parsed.item.key == "04601653035829");
        CHECK(parsed.item.value == std::string("\x10\x27\x00\x00", 4));
        CHECK(parse_list_item(ListName::min_price, "4601653035829 0").item.value ==
              std::string(4, '\0'));
        CHECK(parse_list_item(ListName::min_price, "04601653035829 4294967295").item.value ==
              std::string(4, '\xff'));
        for (const char* bad : {"04601653035829", "04601653035829 4294967296", "04601653035829 -1",
                                "04601653035829 +5", "04601653035829 12a", "04601653035829 1 2",
                                "04601653035829 99999999999999999999999", "046016530358 x"}) {
            error_of(ListName::min_price, bad);
        }
    }

    TEST_CASE("format_list_item is the inverse of parsing") {
        for (const ListName list : kAllLists) {
            const char* line = nullptr;
            switch (list) {
                case ListName::blocked_cis:
                case ListName::learned:
                    line = "0104670540176099215'W9Um";
                    break;
                case ListName::blocked_gtin:
                    line = "04601662000016";
                    break;
                case ListName::blocked_series:
                    line = "04680029460908 5jcm";
                    break;
                case ListName::min_price:
                    line = "04601653035829 4294967295";
                    break;
            }
            const ListItemParse parsed = parse_list_item(list, line);
            REQUIRE(parsed.ok);
            CHECK(format_list_item(list, parsed.item.key, parsed.item.value) == line);
        }
    }
}
