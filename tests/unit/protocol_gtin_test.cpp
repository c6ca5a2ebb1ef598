// GTIN check digits (protocol/codes/gtin.hpp), with the vectors of gs1-syntax-engine's lint_csum.c
// (codes-peers.md §A.2).
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "protocol/codes/gtin.hpp"

using piotd::protocol::gtin_check_digit_valid;

namespace {

// The check as GS1 §7.9 states it, digit by digit: the reference for the word-wise GTIN-14 path.
bool reference_check(const std::string& digits) {
    unsigned sum = 0;
    for (std::size_t i = 0; i + 1 < digits.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(digits[i]);
        if (c < '0' || c > '9') return false;
        sum += ((digits.size() - 2 - i) % 2 == 0 ? 3 : 1) * unsigned(c - '0');
    }
    const unsigned char last = static_cast<unsigned char>(digits.back());
    return last >= '0' && last <= '9' && (10 - sum % 10) % 10 == unsigned(last - '0');
}

}  // namespace

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

    TEST_CASE("GTIN-14: every digit and every byte value at every position, as the reference") {
        std::mt19937 random(20261207);
        std::uniform_int_distribution<int> digit('0', '9');
        for (int round = 0; round < 20000; ++round) {
            std::string gtin(14, '0');
            for (char& c : gtin) c = static_cast<char>(digit(random));
            CHECK(gtin_check_digit_valid(gtin) == reference_check(gtin));
        }
        for (std::size_t at = 0; at < 14; ++at) {
            for (int b = 0; b < 256; ++b) {
                std::string gtin = "04600439931256";
                gtin[at] = static_cast<char>(b);
                CAPTURE(at);
                CAPTURE(b);
                CHECK(gtin_check_digit_valid(gtin) == reference_check(gtin));
            }
        }
    }
}
