// Tag 1260 of a marked item (protocol/decision/tag1260.hpp, lm-api.md §8): the 1265 values and the FFD
// STLV bytes, checked byte for byte.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "protocol/decision/tag1260.hpp"

using namespace piotd::protocol;

namespace {

std::string bytes(std::initializer_list<unsigned> values) {
    std::string out;
    for (const unsigned v : values) out.push_back(static_cast<char>(v));
    return out;
}

std::string json(std::string_view value) {
    piotd::protocol::JsonBuffer buffer;
    JsonWriter writer(buffer);
    write_tag1260(writer, value);
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

TEST_SUITE("protocol.tag1260") {
    TEST_CASE("1265 online and offline, as the real receipt and §9 E3 have them") {
        CHECK(industry_prop_value_online("642a37a9-66f1-4d2f-a33e-8d19562bacee", 1723181059685) ==
              "UUID=642a37a9-66f1-4d2f-a33e-8d19562bacee&Time=1723181059685");
        CHECK(industry_prop_value_offline("5d0b2f54-3a7e-4b8e-9a55-0c2f3f1f9a11", 1773524146442,
                                          "84c4d96a-1c44-4660-a1a2-1b0220f72d07", "2.5.1-2") ==
              "UUID=5d0b2f54-3a7e-4b8e-9a55-0c2f3f1f9a11&Time=1773524146442"
              "&Inst=84c4d96a-1c44-4660-a1a2-1b0220f72d07&Ver=2.5.1-2");
    }

    TEST_CASE(
        "the STLV bytes: 2-byte little-endian tags and lengths, 1262/1263/1264/1265 in order") {
        const std::string value = "UUID=f7b51a1b-75f0-4c3b-8843-52daa4765dea&Time=1773524146442";
        REQUIRE(value.size() == 60);
        const auto encoded = encode_tag1260(value);
        REQUIRE(encoded);
        const std::string expected = bytes({0xEC, 0x04, 0x5D, 0x00}) +          // 1260, 93 bytes
                                     bytes({0xEE, 0x04, 0x03, 0x00}) + "030" +  // 1262
                                     bytes({0xEF, 0x04, 0x0A, 0x00}) + "21.11.2023" +  // 1263
                                     bytes({0xF0, 0x04, 0x04, 0x00}) + "1944" +        // 1264
                                     bytes({0xF1, 0x04, 0x3C, 0x00}) + value;          // 1265
        CHECK(*encoded == expected);
        CHECK(encoded->size() == 97);
        CHECK(to_hex(*encoded).substr(0, 30) == "EC045D00EE040300303330EF040A00");
        CHECK(to_hex(*encoded).size() == 194);
    }

    TEST_CASE("a 1265 value over 255 bytes takes the high length byte") {
        const std::string value(256, 'A');
        const auto encoded = encode_tag1260(value);
        REQUIRE(encoded);
        // Inner: 7 + 14 + 8 + 4 + 256 = 289 = 0x121.
        CHECK(encoded->substr(0, 4) == bytes({0xEC, 0x04, 0x21, 0x01}));
        CHECK(encoded->substr(33, 4) == bytes({0xF1, 0x04, 0x00, 0x01}));
        CHECK(encoded->size() == 4 + 289);
    }

    TEST_CASE("values the FFD string cannot carry as ASCII are refused, not mis-encoded") {
        CHECK_FALSE(encode_tag1260(""));
        CHECK_FALSE(encode_tag1260(std::string(257, 'A')));
        CHECK_FALSE(encode_tag1260("UUID=\xd0\x9a"));
        CHECK_FALSE(encode_tag1260("UUID=a\nb"));
    }

    TEST_CASE("hex") {
        CHECK(to_hex("") == "");
        CHECK(to_hex(bytes({0x00, 0x0F, 0xA0, 0xFF})) == "000FA0FF");
    }

    TEST_CASE("JSON with the FFD names and the TLV hex") {
        CHECK(
            json("UUID=u&Time=1") ==
            R"({"idFoiv":"030","foundationDocDateTime":"21.11.2023","foundationDocNumber":"1944",)"
            R"("industryPropValue":"UUID=u&Time=1","tlv":")" +
                to_hex(*encode_tag1260("UUID=u&Time=1")) + "\"}");
        CHECK(json("").find("tlv") == std::string::npos);
    }
}
