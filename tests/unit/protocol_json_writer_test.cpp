// JsonWriter copies unescaped runs in bulk, and the check answer is written as text
// (json_text.hpp): both must stay RapidJSON's own output, byte for byte.
#include <doctest/doctest.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/json/json_text.hpp"
#include "protocol/json/json_writer.hpp"

namespace {

using piotd::protocol::JsonBuffer;
using piotd::protocol::JsonWriter;

// The same document through piotd's writer and RapidJSON's stock one.
template <typename Writer, typename Buffer>
std::string write_with(std::string_view key, std::string_view value) {
    Buffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    writer.Key("n");
    writer.Int64(-42);
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

std::string piotd_json(std::string_view key, std::string_view value) {
    return write_with<JsonWriter, JsonBuffer>(key, value);
}

// The same document written as text (protocol/json/json_text.hpp).
std::string text_json(std::string_view key, std::string_view value) {
    std::string out = "{";
    piotd::protocol::append_json_string(out, key);
    out += ':';
    piotd::protocol::append_json_string(out, value);
    out += ",\"n\":";
    piotd::protocol::append_json_number(out, std::int64_t{-42});
    out += '}';
    return out;
}

std::string stock_json(std::string_view key, std::string_view value) {
    return write_with<rapidjson::Writer<rapidjson::StringBuffer>, rapidjson::StringBuffer>(key,
                                                                                           value);
}

}  // namespace

TEST_CASE("json writer: every byte value, alone and inside runs longer than 16 bytes") {
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        const std::string alone(1, c);
        CHECK(piotd_json(alone, alone) == stock_json(alone, alone));
        CHECK(text_json(alone, alone) == stock_json(alone, alone));
        // At every offset of a 16-byte block, and in the scalar tail after it.
        for (std::size_t at = 0; at < 40; ++at) {
            std::string text(40, 'x');
            text[at] = c;
            CHECK(piotd_json("k", text) == stock_json("k", text));
            CHECK(text_json("k", text) == stock_json("k", text));
        }
    }
}

TEST_CASE("json writer: a marking code with group separators and Cyrillic text") {
    const std::string code =
        "0104600000000000215NotListed0000\x1d"
        "93abcd\x1d"
        "91EE11";
    const std::string expected = stock_json("cis", code);
    CHECK(piotd_json("cis", code) == expected);
    CHECK(expected.find("\\u001D93abcd") != std::string::npos);
    const std::string russian = "Честный знак \"ЧЗ\" \\ путь\n";
    CHECK(piotd_json("описание", russian) == stock_json("описание", russian));
}

TEST_CASE("json writer: random strings of every length up to 200") {
    std::mt19937 random(20261124);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> printable(0x20, 0x7E);
    for (std::size_t length = 0; length <= 200; ++length) {
        std::string mostly_plain(length, ' ');
        std::string any(length, ' ');
        for (std::size_t i = 0; i < length; ++i) {
            // One escape in about twenty characters, as in real codes and texts.
            mostly_plain[i] =
                static_cast<char>(random() % 20 == 0 ? byte(random) : printable(random));
            any[i] = static_cast<char>(byte(random));
        }
        CHECK(piotd_json("k", mostly_plain) == stock_json("k", mostly_plain));
        CHECK(piotd_json(any, any) == stock_json(any, any));
        CHECK(text_json("k", mostly_plain) == stock_json("k", mostly_plain));
        CHECK(text_json(any, any) == stock_json(any, any));
    }
}

TEST_CASE("json writer: one byte of each kind at every position of every length up to 48") {
    // The lengths where the one-pass copy (json_escape.hpp) changes strategy: under 4, two
    // overlapping halves of 4 or 8, whole blocks of 16 and an overlapping last block.
    for (std::size_t length = 1; length <= 48; ++length) {
        for (std::size_t at = 0; at < length; ++at) {
            for (const char c : {'"', '\\', '\x00', '\x1f', '\x20', '\x7f', '\xff'}) {
                std::string text(length, 'a');
                for (std::size_t i = 0; i < length; ++i) text[i] = static_cast<char>('a' + i % 26);
                text[at] = c;
                CHECK(text_json("k", text) == stock_json("k", text));
            }
        }
    }
}

TEST_CASE("json text: numbers as std::to_chars writes them, the extremes and every length") {
    const auto expected = [](auto value) {
        char text[24];
        return std::string(text, std::to_chars(text, text + sizeof text, value).ptr);
    };
    std::vector<std::int64_t> values = {0,
                                        1,
                                        -1,
                                        9,
                                        10,
                                        99,
                                        100,
                                        -100,
                                        1796662480225,
                                        std::numeric_limits<std::int64_t>::max(),
                                        std::numeric_limits<std::int64_t>::min()};
    // 1, 10, ... 10^18 and their neighbours: every length of digits.
    for (std::int64_t power = 1;; power *= 10) {
        for (const std::int64_t v : {power - 1, power, power + 1}) {
            values.push_back(v);
            values.push_back(-v);
        }
        if (power > std::numeric_limits<std::int64_t>::max() / 10) break;
    }
    for (const std::int64_t value : values) {
        std::string out = "[";
        piotd::protocol::append_json_number(out, value);
        out += ']';
        CHECK(out == "[" + expected(value) + "]");
    }
    for (const std::uint64_t value :
         {std::uint64_t{0}, std::uint64_t{8100}, std::numeric_limits<std::uint64_t>::max(),
          std::uint64_t{10'000'000'000'000'000'000u}, std::uint64_t{9'999'999'999'999'999'999u}}) {
        std::string out;
        piotd::protocol::append_json_number(out, value);
        CHECK(out == expected(value));
    }
}
