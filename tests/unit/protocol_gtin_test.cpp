// GTIN check digits (protocol/gtin.hpp), with the vectors of gs1-syntax-engine's lint_csum.c
// (codes-peers.md §A.2).
#include <doctest/doctest.h>

#include <string>

#include "protocol/gtin.hpp"

using piotd::protocol::gtin_check_digit_valid;

TEST_SUITE("protocol.gtin") {
    TEST_CASE("GS1 vectors pass, and fail with the last digit changed") {
        for (const std::string good :
             {"02345673", "416000336108", "1234567890128", "12345678901231"}) {
            CAPTURE(good);
            CHECK(gtin_check_digit_valid(good));
            for (char d = '0'; d <= '9'; ++d) {
                if (d == good.back()) continue;
                std::string bad = good;
                bad.back() = d;
                CHECK(!gtin_check_digit_valid(bad));
            }
        }
    }

    TEST_CASE("Chestny Znak GTINs from the public vectors") {
        for (const char* gtin :
             {"04670540176099", "04610053149777", "03041094787443", "04601662000016",
              "04653820923088", "04605674000019", "04610053147452", "04669000322220",
              "04650194495494", "04607809596237", "04607080218187", "02900000323049",
              "04670033010053", "04610136280571", "04601653035829", "00840147505712",
              "04600439931256", "04670019034189", "04680029460908", "04850013000162"}) {
            CAPTURE(gtin);
            CHECK(gtin_check_digit_valid(gtin));
        }
        // The sandbox code whose check digit fails (lm-api.md Appendix A).
        CHECK(!gtin_check_digit_valid("04640023469822"));
        CHECK(!gtin_check_digit_valid("02467100706916"));
    }

    TEST_CASE("lengths other than 8, 12, 13 and 14, and non-digits, fail") {
        CHECK(!gtin_check_digit_valid(""));
        CHECK(!gtin_check_digit_valid("0"));
        CHECK(!gtin_check_digit_valid("0000000"));
        CHECK(gtin_check_digit_valid("00000000"));
        CHECK(!gtin_check_digit_valid("123456789012345675"));  // SSCC: valid, but not a GTIN
        CHECK(!gtin_check_digit_valid("0234567A"));
        CHECK(!gtin_check_digit_valid("A2345673"));
        CHECK(!gtin_check_digit_valid("0234 673"));
        CHECK(!gtin_check_digit_valid("0234567/"));  // '/' is '0' - 1
        CHECK(!gtin_check_digit_valid("0234567:"));  // ':' is '9' + 1
        CHECK(!gtin_check_digit_valid(std::string("0234567\0", 8)));
    }
}
