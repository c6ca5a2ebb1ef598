// Base-80 prices inside tobacco pack codes (protocol/codes/tobacco_price.hpp, lm-api.md §7.5).
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <string_view>

#include "protocol/codes/tobacco_price.hpp"

using namespace piotd::protocol;

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!\"%&'*+-./_,:;=<>?";

std::string text(const std::array<char, 4>& chars) {
    return std::string(chars.data(), 4);
}

}  // namespace

TEST_SUITE("protocol.tobacco_price") {
    TEST_CASE("the reference values") {
        CHECK(decode_base80_price("ABVU") == 8100u);
        CHECK(decode_base80_price("ACVU") == 14500u);
        CHECK(decode_base80_price("ACW.") == 14630u);
        CHECK(decode_base80_price("AAAA") == 0u);
        CHECK(decode_base80_price("????") == 80u * 80 * 80 * 80 - 1);
        CHECK(text(*encode_base80_price(8100)) == "ABVU");
        CHECK(text(*encode_base80_price(14500)) == "ACVU");
        CHECK(text(*encode_base80_price(14630)) == "ACW.");
        CHECK(text(*encode_base80_price(0)) == "AAAA");
    }

    TEST_CASE("the alphabet is CSET 82 without parentheses, each digit in its place") {
        CHECK(kAlphabet.size() == 80);
        CHECK(std::set<char>(kAlphabet.begin(), kAlphabet.end()).size() == 80);
        for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
            const std::string digits = std::string("AAA") + kAlphabet[i];
            CHECK(decode_base80_price(digits) == static_cast<std::uint32_t>(i));
        }
        CHECK(!decode_base80_price("AA(A"));
        CHECK(!decode_base80_price("AA)A"));
        CHECK(!decode_base80_price("AA A"));
        CHECK(
            !decode_base80_price("AA\x1d"
                                 "A"));
        CHECK(!decode_base80_price("AA#A"));
        CHECK(!decode_base80_price(std::string_view("AA\0A", 4)));
    }

    TEST_CASE("only exactly four characters") {
        CHECK(!decode_base80_price(""));
        CHECK(!decode_base80_price("ABV"));
        CHECK(!decode_base80_price("ABVUA"));
    }

    TEST_CASE("round trip over the whole range, sampled") {
        for (std::uint32_t kopecks = 0; kopecks < 80u * 80 * 80 * 80; kopecks += 997) {
            const auto encoded = encode_base80_price(kopecks);
            REQUIRE(encoded);
            REQUIRE(decode_base80_price(text(*encoded)) == kopecks);
        }
        const std::uint32_t top = 80u * 80 * 80 * 80 - 1;
        CHECK(decode_base80_price(text(*encode_base80_price(top))) == top);
        CHECK(!encode_base80_price(top + 1));
        CHECK(!encode_base80_price(0xffffffffu));
    }
}
