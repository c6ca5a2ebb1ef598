// Russian keyboard-layout repair (protocol/codes/keyboard_layout.hpp), and real codes typed through a
// keyboard wedge with the Russian layout active, parsed back (tspiot-kkt.md Part C.3).
#include <doctest/doctest.h>

#include <array>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codes/keyboard_layout.hpp"
#include "protocol/codes/marking_code.hpp"

using namespace piotd::protocol;

namespace {

// The keys a scanner can press, as the two layouts label them: US unshifted, US shifted,
// Russian unshifted, Russian shifted (standard Windows/X11 "ru" layout). This table is the
// test's own statement of the layouts; the parser's reverse map is checked against it.
struct Key {
    char us;
    char us_shift;
    std::string_view ru;
    std::string_view ru_shift;
};

constexpr Key kKeys[] = {
    {'`', '~', "ё", "Ё"},  {'1', '!', "1", "!"},   {'2', '@', "2", "\""}, {'3', '#', "3", "№"},
    {'4', '$', "4", ";"},  {'5', '%', "5", "%"},   {'6', '^', "6", ":"},  {'7', '&', "7", "?"},
    {'8', '*', "8", "*"},  {'9', '(', "9", "("},   {'0', ')', "0", ")"},  {'-', '_', "-", "_"},
    {'=', '+', "=", "+"},  {'q', 'Q', "й", "Й"},   {'w', 'W', "ц", "Ц"},  {'e', 'E', "у", "У"},
    {'r', 'R', "к", "К"},  {'t', 'T', "е", "Е"},   {'y', 'Y', "н", "Н"},  {'u', 'U', "г", "Г"},
    {'i', 'I', "ш", "Ш"},  {'o', 'O', "щ", "Щ"},   {'p', 'P', "з", "З"},  {'[', '{', "х", "Х"},
    {']', '}', "ъ", "Ъ"},  {'\\', '|', "\\", "/"}, {'a', 'A', "ф", "Ф"},  {'s', 'S', "ы", "Ы"},
    {'d', 'D', "в", "В"},  {'f', 'F', "а", "А"},   {'g', 'G', "п", "П"},  {'h', 'H', "р", "Р"},
    {'j', 'J', "о", "О"},  {'k', 'K', "л", "Л"},   {'l', 'L', "д", "Д"},  {';', ':', "ж", "Ж"},
    {'\'', '"', "э", "Э"}, {'z', 'Z', "я", "Я"},   {'x', 'X', "ч", "Ч"},  {'c', 'C', "с", "С"},
    {'v', 'V', "м", "М"},  {'b', 'B', "и", "И"},   {'n', 'N', "т", "Т"},  {'m', 'M', "ь", "Ь"},
    {',', '<', "б", "Б"},  {'.', '>', "ю", "Ю"},   {'/', '?', ".", ","},
};

// What a keyboard wedge types for `us` while the Russian layout is active. Characters without a
// key (GS, which scanners send as Ctrl+] or Alt+029) pass through unchanged.
std::string to_russian_layout(std::string_view us) {
    std::string out;
    for (const char c : us) {
        bool found = false;
        for (const Key& key : kKeys) {
            if (key.us == c) {
                out += key.ru;
                found = true;
            } else if (key.us_shift == c) {
                out += key.ru_shift;
                found = true;
            }
            if (found) break;
        }
        if (!found) out += c;
    }
    return out;
}

std::optional<std::string> repair(std::string_view utf8) {
    std::array<char, 512> out{};
    const auto n = repair_russian_layout(utf8, out.data(), out.size());
    if (!n) return std::nullopt;
    return std::string(out.data(), *n);
}

std::string gs(std::string_view text) {
    std::string out;
    constexpr std::string_view mark = "␝";
    for (std::size_t i = 0; i < text.size();) {
        if (text.substr(i).starts_with(mark)) {
            out += kGs;
            i += mark.size();
        } else {
            out += text[i++];
        }
    }
    return out;
}

std::string replace_gs(std::string_view code, std::string_view with) {
    std::string out;
    for (const char c : code) {
        if (c == kGs) {
            out += with;
        } else {
            out += c;
        }
    }
    return out;
}

std::vector<std::string> valid_codes() {
    std::ifstream in(std::string(PIOTD_TEST_DATA_DIR) + "/codes/valid.tsv");
    REQUIRE(in.good());
    std::vector<std::string> codes;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::stringstream stream(line);
        std::string group, code;
        std::getline(stream, group, '\t');
        std::getline(stream, code, '\t');
        codes.push_back(gs(code));
    }
    return codes;
}

bool has_letter(std::string_view s) {
    for (const char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return true;
    }
    return false;
}

}  // namespace

TEST_SUITE("protocol.keyboard_layout") {
    TEST_CASE("has_cyrillic") {
        CHECK(has_cyrillic("й"));
        CHECK(has_cyrillic("Ё"));
        CHECK(has_cyrillic("ё"));
        CHECK(has_cyrillic("№"));
        CHECK(has_cyrillic("0104ФиС"));
        CHECK(has_cyrillic("\xd3\xbf"));  // U+04FF, the end of the block
        CHECK(has_cyrillic("\xd0\x80"));  // U+0400, the start
        CHECK(!has_cyrillic(""));
        CHECK(
            !has_cyrillic("0104670540176099215'W9Um\x1d"
                          "93dGVz"));
        CHECK(!has_cyrillic("\xc3\xa9"));  // é
        CHECK(!has_cyrillic("\xd4\x80"));  // U+0500, past the block
        CHECK(!has_cyrillic("abc\xd0"));   // a lone lead byte at the end
        CHECK(
            !has_cyrillic("\xd0"
                          "A"));           // a lead byte without continuation
        CHECK(!has_cyrillic("\xe2\x84"));  // a cut '№'
        CHECK(
            !has_cyrillic("\xe8"
                          "01\xe8"));  // FNC1 bytes
    }

    TEST_CASE("every key, unshifted and shifted, maps back to the US layout") {
        for (const Key& key : kKeys) {
            CAPTURE(key.us);
            CHECK(repair(key.ru) == std::string(1, key.us));
            CHECK(repair(key.ru_shift) == std::string(1, key.us_shift));
        }
        CHECK(repair("йцукенгшщзхъфывапролджэячсмитьбю.") == "qwertyuiop[]asdfghjkl;'zxcvbnm,./");
        CHECK(repair("ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,") == "QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>?");
        CHECK(repair("!\"№;%:?*()_+") == "!@#$%^&*()_+");
        CHECK(repair("ёЁ\\/") == "`~\\|");
        CHECK(repair("") == "");
        // Control characters and digits have no layout.
        CHECK(repair("\x1d"
                     "01\r\n") ==
              "\x1d"
              "01\r\n");
    }

    TEST_CASE("characters without a key on the US layout are refused") {
        CHECK(!repair("\xd1\x96"));          // і (Ukrainian)
        CHECK(!repair("\xd1\x94"));          // є
        CHECK(!repair("\xd0\x8e"));          // Ў (Belarusian)
        CHECK(!repair("\xd3\xbf"));          // U+04FF
        CHECK(!repair("\xc3\xa9"));          // é
        CHECK(!repair("\xf0\x9f\x98\x80"));  // an emoji
        CHECK(!repair("\xd0"));              // cut UTF-8
        CHECK(
            !repair("\xd0"
                    "A"));
        CHECK(!repair("\xe2\x84"));
        CHECK(!repair("\xe8"));  // FNC1 cannot be typed on a keyboard
    }

    TEST_CASE("the output buffer is never overrun") {
        std::array<char, 4> out{};
        CHECK(repair_russian_layout("йцук", out.data(), out.size()) == 4u);
        CHECK(!repair_russian_layout("йцуке", out.data(), out.size()));
        CHECK(!repair_russian_layout("abcde", out.data(), out.size()));
        CHECK(repair_russian_layout("", out.data(), 0) == 0u);
    }

    TEST_CASE("every real code typed with the Russian layout parses back") {
        std::size_t checked = 0;
        for (const std::string& code : valid_codes()) {
            CAPTURE(code);
            const std::string typed = to_russian_layout(code);
            if (!has_letter(code)) {
                // Digits only: nothing Cyrillic arrives and nothing needs repairing.
                CHECK(typed == code);
                continue;
            }
            REQUIRE(has_cyrillic(typed));
            for (const InputChannel channel : {InputChannel::text, InputChannel::serial}) {
                const ParseResult r = parse_marking_code(typed, channel);
                REQUIRE_MESSAGE(r, code_error_name(r.error));
                CHECK(r.code.full() == code);
                CHECK(r.code.repairs().layout_repaired);
                CHECK(!r.code.repairs().gs_recovered);
            }
            // The AIM prefix and a CR LF suffix go through the same keys.
            const ParseResult aim = parse_marking_code(to_russian_layout("]d2" + code) + "\r\n");
            REQUIRE(aim);
            CHECK(aim.code.full() == code);
            CHECK(aim.code.repairs().aim_prefix_stripped);
            CHECK(aim.code.repairs().suffix_stripped);
            ++checked;
        }
        CHECK(checked >= 60);
    }

    TEST_CASE("GS escapes typed with the Russian layout are decoded after the repair") {
        const std::string code =
            gs("0104669000322220215t*NH>t:ngCfH␝91FFD0␝92dGVzdBL8SAtwRqhp7H9rf"
               "yI59GoJ8ec6X9GhckDf8JE=");
        for (const char* escape : {"\\u001d", "\\x1D", "<GS>", "{GS}", "%1D"}) {
            CAPTURE(escape);
            const std::string typed = to_russian_layout(replace_gs(code, escape));
            const ParseResult r = parse_marking_code(typed);
            REQUIRE_MESSAGE(r, code_error_name(r.error));
            CHECK(r.code.full() == code);
            CHECK(r.code.repairs().layout_repaired);
            CHECK(r.code.repairs().gs_escape_decoded);
        }
        // "\u001d" in Russian is "\г001в": the example from the field.
        CHECK(to_russian_layout("\\u001d") == "\\г001в");
    }

    TEST_CASE("a GS-less code typed with the Russian layout is repaired and recovered") {
        const std::string typed = to_russian_layout("0104653820923088215GoNfWgdcBeVZ93dGVz");
        const ParseResult r = parse_marking_code(typed);
        REQUIRE(r);
        CHECK(r.code.full() == gs("0104653820923088215GoNfWgdcBeVZ␝93dGVz"));
        CHECK(r.code.repairs().layout_repaired);
        CHECK(r.code.repairs().gs_recovered);
    }

    TEST_CASE("Caps Lock cannot be undone: the code parses with the case inverted") {
        const std::string code = "0104653820923088215GoNfWgdcBeVZ";
        std::string inverted = code;
        for (char& c : inverted) {
            if (c >= 'a' && c <= 'z') {
                c = static_cast<char>(c - 'a' + 'A');
            } else if (c >= 'A' && c <= 'Z') {
                c = static_cast<char>(c - 'A' + 'a');
            }
        }
        const ParseResult r = parse_marking_code(to_russian_layout(inverted));
        REQUIRE(r);
        CHECK(r.code.full() == inverted);
        CHECK(r.code.full() != code);
    }

    TEST_CASE("mixed input: Latin letters next to Cyrillic ones are kept") {
        // Only the Cyrillic part was typed in the wrong layout; ASCII letters have no other key.
        const ParseResult r = parse_marking_code("0104653820923088215GoNfWgdcBeVЯ");
        REQUIRE(r);
        CHECK(r.code.serial() == "5GoNfWgdcBeVZ");
    }
}
