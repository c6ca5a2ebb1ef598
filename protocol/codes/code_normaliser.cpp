#include "protocol/codes/code_normaliser.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "protocol/codes/keyboard_layout.hpp"

namespace piotd::protocol {

namespace {

// What the main loop must do with each byte.
enum class ByteClass : std::uint8_t {
    plain,      // CSET 82: copied
    gs,         // GS: a separator
    fnc1,       // 0xE8: a separator
    escape,     // may start a literal GS escape in text input (backslash { < %)
    forbidden,  // anything else
};

constexpr std::array<ByteClass, 256> make_classes() {
    std::array<ByteClass, 256> table{};
    for (auto& c : table) c = ByteClass::forbidden;
    for (const char c : std::string_view("!\"%&'()*+,-./:;<=>?_")) {
        table[static_cast<unsigned char>(c)] = ByteClass::plain;
    }
    for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = ByteClass::plain;
    for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = ByteClass::plain;
    for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = ByteClass::plain;
    table[0x1d] = ByteClass::gs;
    table[0xe8] = ByteClass::fnc1;
    for (const char c : std::string_view("\\{<%")) {
        table[static_cast<unsigned char>(c)] = ByteClass::escape;
    }
    return table;
}

constexpr auto kClasses = make_classes();

bool is_letter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_d(char c) {
    return c == 'd' || c == 'D';
}

// Length of a literal GS escape starting at s[i], or 0. The escapes are the ones software puts
// into text when it cannot carry a control character (codes-peers.md §A.6).
std::size_t escape_length(std::string_view s, std::size_t i, bool ambiguous, bool& was_ambiguous) {
    const std::string_view rest = s.substr(i);
    switch (rest[0]) {
        case '\\':
            if (rest.size() >= 6 && rest.substr(1, 4) == "u001" && is_d(rest[5])) return 6;
            if (rest.size() >= 4 && rest.substr(1, 2) == "x1" && is_d(rest[3])) return 4;
            return 0;
        case '{':
            return rest.starts_with("{GS}") ? 4 : 0;
        case '<':
            if (ambiguous && rest.starts_with("<GS>")) {
                was_ambiguous = true;
                return 4;
            }
            return 0;
        case '%':
            if (ambiguous && rest.size() >= 3 && rest[1] == '1' && is_d(rest[2])) {
                was_ambiguous = true;
                return 3;
            }
            return 0;
        default:
            return 0;
    }
}

enum class Separator { gs, fnc1, escape };

}  // namespace

bool is_cset82(char c) {
    const ByteClass byte_class = kClasses[static_cast<unsigned char>(c)];
    return byte_class == ByteClass::plain ||
           (byte_class == ByteClass::escape && (c == '<' || c == '%'));
}

std::size_t plain_blocks_length(const char* p, std::size_t size) {
    std::size_t n = 0;
#if defined(__SSE2__)
    // Plain is 0x21..0x7A without # $ % < @ [ \ ] ^ `: as signed bytes everything from 0x80 up
    // is negative, so two compares bound the range, and the holes are two ranges and three bytes.
    const auto in = [](__m128i v, char low, char high) {
        return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(low - 1))),
                             _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(high + 1))));
    };
    for (; size - n >= 16; n += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n));
        const __m128i holes =
            _mm_or_si128(_mm_or_si128(in(v, 0x23, 0x25), in(v, 0x5B, 0x5E)),
                         _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x3C)),
                                                   _mm_cmpeq_epi8(v, _mm_set1_epi8(0x40))),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8(0x60))));
        const __m128i plain = _mm_andnot_si128(holes, in(v, 0x21, 0x7A));
        if (_mm_movemask_epi8(plain) != 0xFFFF) break;
    }
#else
    (void)p;
    (void)size;
#endif
    return n;
}

NormaliseResult normalise_code(std::string_view raw, const NormaliseOptions& options,
                               std::span<char, kMaxCodeLength> out) {
    NormaliseResult result;
    if (raw.size() > kMaxCodeLength) {
        result.error = CodeError::too_long;
        return result;
    }

    std::string_view s = raw;
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
        result.repairs.suffix_stripped = true;
    }

    // Layout repair comes first: with the Russian layout active, the AIM prefix and the text
    // escapes arrive in Cyrillic too ("ъв2", "ХПЫЪ"), and only the repaired form is recognised.
    std::array<char, kMaxCodeLength> repaired;
    if (has_cyrillic(s)) {
        const auto length = repair_russian_layout(s, repaired.data(), repaired.size());
        if (!length) {
            result.error = CodeError::bad_character;
            return result;
        }
        s = std::string_view(repaired.data(), *length);
        result.repairs.layout_repaired = true;
    }

    // AIM symbology identifier (ISO/IEC 15424): ']' + letter + digit. ']' is not CSET 82, so a
    // code can never start like this by itself.
    if (s.size() >= 3 && s[0] == ']' && is_letter(s[1]) && is_digit(s[2])) {
        s.remove_prefix(3);
        result.repairs.aim_prefix_stripped = true;
    }

    const bool text = options.channel == InputChannel::text;
    bool leading_dropped = false;
    std::size_t o = 0;
    std::size_t i = 0;
    // Fast path: nearly every byte is plain CSET 82, so whole blocks of it are copied first. The
    // output never outruns the input (o <= i), so the copy stays inside `out`.
    if (const std::size_t plain = plain_blocks_length(s.data(), s.size()); plain > 0) {
        std::memcpy(out.data(), s.data(), plain);
        o = i = plain;
    }
    while (i < s.size()) {
        // The byte loop: the rest, and everything after a separator or an escape.
        while (i < s.size() && kClasses[static_cast<unsigned char>(s[i])] == ByteClass::plain) {
            out[o++] = s[i++];
        }
        if (i == s.size()) break;
        const char c = s[i];
        Separator separator = Separator::gs;
        switch (kClasses[static_cast<unsigned char>(c)]) {
            case ByteClass::plain:
                out[o++] = c;
                ++i;
                continue;
            case ByteClass::gs:
                separator = Separator::gs;
                ++i;
                break;
            case ByteClass::fnc1:
                separator = Separator::fnc1;
                result.repairs.fnc1_converted = true;
                ++i;
                break;
            case ByteClass::escape: {
                const std::size_t n = text ? escape_length(s, i, options.decode_ambiguous_escapes,
                                                           result.ambiguous_escape_decoded)
                                           : 0;
                if (n == 0) {
                    if (!is_cset82(c)) {
                        result.error = CodeError::bad_character;
                        return result;
                    }
                    out[o++] = c;
                    ++i;
                    continue;
                }
                separator = Separator::escape;
                result.repairs.gs_escape_decoded = true;
                i += n;
                break;
            }
            case ByteClass::forbidden:
                result.error = CodeError::bad_character;
                return result;
        }
        if (o == 0) {
            // One leading separator is what a decoder's FNC1-in-first-position or a POS prefix
            // leaves behind; a second one is no longer an artifact of that kind.
            if (leading_dropped) {
                result.error = CodeError::empty_element;
                return result;
            }
            leading_dropped = true;
            if (separator != Separator::fnc1) result.repairs.leading_gs_dropped = true;
            continue;
        }
        out[o++] = kGs;
    }

    if (o == 0) {
        result.error = CodeError::empty;
        return result;
    }
    result.length = o;
    return result;
}

}  // namespace piotd::protocol
