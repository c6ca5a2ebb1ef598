// The first parsing stage (protocol/codes/code_normaliser.hpp): what scanners and POS software send,
// turned into the bare GS1 string, one artifact at a time.
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <string_view>

#include "protocol/codes/code_normaliser.hpp"

using namespace piotd::protocol;

namespace {

struct Normalised {
    CodeError error;
    std::string text;
    Repairs repairs;
    bool ambiguous;
};

Normalised run(std::string_view raw, InputChannel channel = InputChannel::text,
               bool ambiguous_escapes = true) {
    std::array<char, kMaxCodeLength> out{};
    NormaliseOptions options;
    options.channel = channel;
    options.decode_ambiguous_escapes = ambiguous_escapes;
    const NormaliseResult r = normalise_code(raw, options, out);
    return {r.error, std::string(out.data(), r.length), r.repairs, r.ambiguous_escape_decoded};
}

const std::string kCode =
    "0104670540176099215'W9Um\x1d"
    "93dGVz";

}  // namespace

TEST_SUITE("protocol.normaliser") {
    TEST_CASE("CSET 82 is exactly the 82 characters of GS1") {
        const std::string_view cset82 =
            "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
        CHECK(cset82.size() == 82);
        int count = 0;
        for (int c = 0; c < 256; ++c) {
            const bool in = is_cset82(static_cast<char>(c));
            count += in;
            CHECK(in == (cset82.find(static_cast<char>(c)) != std::string_view::npos));
        }
        CHECK(count == 82);
        CHECK(!is_cset82(kGs));
    }

    TEST_CASE("clean input passes unchanged") {
        const auto r = run(kCode);
        CHECK(r.error == CodeError::none);
        CHECK(r.text == kCode);
        CHECK(!r.repairs.any());
        CHECK(run(kCode, InputChannel::serial).text == kCode);
    }

    TEST_CASE("trailing CR and LF are stripped, inner ones are not") {
        for (const char* suffix : {"\r", "\n", "\r\n", "\n\r", "\r\n\r\n"}) {
            const auto r = run(kCode + suffix);
            CHECK(r.text == kCode);
            CHECK(r.repairs.suffix_stripped);
        }
        CHECK(run("01\r\n04").error == CodeError::bad_character);
        CHECK(run("\r\n0104").error == CodeError::bad_character);
    }

    TEST_CASE("AIM symbology identifiers are stripped at the start only") {
        for (const char* aim : {"]d2", "]C1", "]Q3", "]e0", "]d1", "]E4"}) {
            const auto r = run(aim + kCode);
            CHECK(r.text == kCode);
            CHECK(r.repairs.aim_prefix_stripped);
        }
        CHECK(run("]d2]d2" + kCode).error == CodeError::bad_character);  // only one
        CHECK(run(kCode + "]d2").error == CodeError::bad_character);
        CHECK(run("]2d" + kCode).error == CodeError::bad_character);  // not letter + digit
        CHECK(run("]d").error == CodeError::bad_character);
        CHECK(run("]d2").error == CodeError::empty);
        CHECK(run("]d2", InputChannel::serial).error == CodeError::empty);
    }

    TEST_CASE("FNC1 bytes: dropped in front, GS inside") {
        const auto r =
            run("\xe8"
                "0104670540176099215'W9Um\xe8"
                "93dGVz");
        CHECK(r.text == kCode);
        CHECK(r.repairs.fnc1_converted);
        CHECK(!r.repairs.leading_gs_dropped);
        const auto serial =
            run("]d2\xe8"
                "0104670540176099215'W9Um\xe8"
                "93dGVz\r",
                InputChannel::serial);
        CHECK(serial.text == kCode);
        CHECK(serial.repairs.aim_prefix_stripped);
        CHECK(serial.repairs.fnc1_converted);
        CHECK(serial.repairs.suffix_stripped);
    }

    TEST_CASE("one leading GS is dropped, a second one is an error") {
        const auto r = run("\x1d" + kCode);
        CHECK(r.text == kCode);
        CHECK(r.repairs.leading_gs_dropped);
        CHECK(run("\x1d\x1d" + kCode).error == CodeError::empty_element);
        CHECK(run("\xe8\x1d" + kCode).error == CodeError::empty_element);
        CHECK(run("\x1d").error == CodeError::empty);
        // Inner double GS is left for the parser to judge.
        CHECK(run("01\x1d\x1d"
                  "02")
                  .text ==
              "01\x1d\x1d"
              "02");
    }

    TEST_CASE("literal GS escapes in text input") {
        for (const char* escape :
             {"\\u001d", "\\u001D", "\\x1d", "\\x1D", "<GS>", "{GS}", "%1D", "%1d"}) {
            CAPTURE(escape);
            const auto r = run(std::string("0104670540176099215'W9Um") + escape + "93dGVz");
            CHECK(r.error == CodeError::none);
            CHECK(r.text == kCode);
            CHECK(r.repairs.gs_escape_decoded);
            const bool ambiguous = escape[0] == '<' || escape[0] == '%';
            CHECK(r.ambiguous == ambiguous);
            // In front: a leading separator, dropped.
            const auto front = run(escape + kCode);
            CHECK(front.text == kCode);
            CHECK(front.repairs.leading_gs_dropped);
        }
    }

    TEST_CASE("near-misses of escapes are not escapes") {
        // Not CSET 82, so a bad character rather than a guess.
        for (const char* near :
             {"\\u001e", "\\U001d", "\\u01d", "\\x1e", "\\x1", "\\", "{GS", "{gs}", "\\u001"}) {
            CAPTURE(near);
            CHECK(run(std::string("0104") + near).error == CodeError::bad_character);
        }
        // CSET 82, so kept as they are.
        for (const char* near : {"<GS", "<gs>", "%1E", "%1", "%", "<", "GS>", "%2D", "%11D"}) {
            CAPTURE(near);
            const auto r = run(std::string("0104") + near);
            CHECK(r.error == CodeError::none);
            CHECK(r.text == std::string("0104") + near);
            CHECK(!r.repairs.gs_escape_decoded);
        }
    }

    TEST_CASE("the ambiguous escapes can be switched off; the serial channel has none") {
        const auto literal = run("0104<GS>%1D", InputChannel::text, false);
        CHECK(literal.text == "0104<GS>%1D");
        CHECK(!literal.ambiguous);
        CHECK(run("0104{GS}02", InputChannel::text, false).text ==
              "0104\x1d"
              "02");
        const auto serial = run("0104<GS>%1D", InputChannel::serial);
        CHECK(serial.text == "0104<GS>%1D");
        CHECK(!serial.repairs.gs_escape_decoded);
        CHECK(run("0104{GS}", InputChannel::serial).error == CodeError::bad_character);
        CHECK(run("0104\\u001d", InputChannel::serial).error == CodeError::bad_character);
    }

    TEST_CASE("layout repair runs first, so prefixes and escapes typed in Russian are found") {
        // "]d2" + "0104AbC" + "{GS}" + "93" typed with the Russian layout.
        const auto r =
            run("ъв2"
                "0104ФиС"
                "ХПЫЪ"
                "93\r\n");
        CHECK(r.error == CodeError::none);
        CHECK(r.text ==
              "0104AbC\x1d"
              "93");
        CHECK(r.repairs.layout_repaired);
        CHECK(r.repairs.aim_prefix_stripped);
        CHECK(r.repairs.gs_escape_decoded);
        CHECK(r.repairs.suffix_stripped);
        // A repair that produces a character outside CSET 82.
        const auto bad = run("0104х");
        CHECK(bad.error == CodeError::bad_character);
        CHECK(bad.repairs.layout_repaired);
        // A character with no US key.
        CHECK(run("0104і").error == CodeError::bad_character);
    }

    TEST_CASE("limits") {
        CHECK(run("").error == CodeError::empty);
        CHECK(run(std::string(kMaxCodeLength, 'A')).error == CodeError::none);
        CHECK(run(std::string(kMaxCodeLength + 1, 'A')).error == CodeError::too_long);
        // The limit is on the raw bytes: a long CR LF tail counts.
        CHECK(run(std::string(kMaxCodeLength - 1, 'A') + "\r\n").error == CodeError::too_long);
        // Cyrillic shrinks to one byte a letter: 192 letters are 384 bytes.
        std::string cyrillic;
        for (int i = 0; i < 192; ++i) cyrillic += "ф";
        const auto r = run(cyrillic);
        CHECK(r.error == CodeError::none);
        CHECK(r.text == std::string(192, 'a'));
    }
}

TEST_CASE("normaliser: the block fast path takes exactly the plain bytes, at every position") {
    // Plain: CSET 82 except the two escape starters, which the byte loop looks at.
    const auto plain = [](int b) {
        return is_cset82(static_cast<char>(b)) && b != '%' && b != '<';
    };
    for (int b = 0; b < 256; ++b) {
        for (std::size_t at = 0; at < 48; ++at) {
            std::string text(48, 'A');
            text[at] = static_cast<char>(b);
            CAPTURE(b);
            CAPTURE(at);
            const std::size_t expected = plain(b) ? 48 : at / 16 * 16;
            CHECK(plain_blocks_length(text.data(), text.size()) == expected);
            // A plain byte is copied wherever it is; any other leaves its block to the byte
            // loop, which the other cases of this file test.
            if (plain(b)) CHECK(run(text).text == text);
        }
    }
    // Every length, under and over a block, of nothing but plain bytes: copied as they are.
    std::string all_plain;
    for (int b = 0; b < 128; ++b) {
        if (plain(b)) all_plain += static_cast<char>(b);
    }
    for (std::size_t length = 1; length <= all_plain.size(); ++length) {
        const std::string text = all_plain.substr(all_plain.size() - length);
        CHECK(run(text).text == text);
        CHECK(plain_blocks_length(text.data(), text.size()) == length / 16 * 16);
    }
}
