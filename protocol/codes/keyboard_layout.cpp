#include "protocol/codes/keyboard_layout.hpp"

#include <cstdint>

namespace piotd::protocol {

namespace {

// What the key that gives each Cyrillic letter on the Russian (ЙЦУКЕН) layout gives on the US
// layout, in Unicode order А..Я and а..я.
constexpr std::string_view kUpperLetters = "F<DULT:PBQRKVYJGHCNEA{WXIO}SM\">Z";
constexpr std::string_view kLowerLetters = "f,dult;pbqrkvyjghcnea[wxio]sm'.z";
static_assert(kUpperLetters.size() == 32 && kLowerLetters.size() == 32);

constexpr std::uint32_t kCapitalA = 0x0410;   // А
constexpr std::uint32_t kSmallA = 0x0430;     // а
constexpr std::uint32_t kCapitalIo = 0x0401;  // Ё
constexpr std::uint32_t kSmallIo = 0x0451;    // ё

// UTF-8 of '№' (U+2116), Shift+3 on the Russian layout.
constexpr unsigned char kNumeroSign[] = {0xe2, 0x84, 0x96};

bool is_continuation(unsigned char c) {
    return (c & 0xc0) == 0x80;
}

bool is_numero_sign(std::string_view s, std::size_t i) {
    return i + 2 < s.size() && static_cast<unsigned char>(s[i]) == kNumeroSign[0] &&
           static_cast<unsigned char>(s[i + 1]) == kNumeroSign[1] &&
           static_cast<unsigned char>(s[i + 2]) == kNumeroSign[2];
}

// ASCII keys whose character differs between the layouts: the Russian layout types the left
// character where the US layout types the right one.
char map_ascii(char c) {
    switch (c) {
        case '"':
            return '@';  // Shift+2
        case ';':
            return '$';  // Shift+4
        case ':':
            return '^';  // Shift+6
        case '?':
            return '&';  // Shift+7
        case '.':
            return '/';  // the / key
        case ',':
            return '?';  // Shift+/
        case '/':
            return '|';  // Shift+backslash
        default:
            return c;
    }
}

}  // namespace

bool has_cyrillic(std::string_view utf8) {
    // Nearly every input is plain ASCII: rule that out with a loop the compiler vectorises.
    unsigned char high_bits = 0;
    for (const char c : utf8) high_bits |= static_cast<unsigned char>(c);
    if ((high_bits & 0x80) == 0) return false;

    for (std::size_t i = 0; i + 1 < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        // U+0400..U+04FF is D0 80 .. D3 BF.
        if (c >= 0xd0 && c <= 0xd3 && is_continuation(static_cast<unsigned char>(utf8[i + 1]))) {
            return true;
        }
        if (is_numero_sign(utf8, i)) return true;
    }
    return false;
}

std::optional<std::size_t> repair_russian_layout(std::string_view utf8, char* out,
                                                 std::size_t out_size) {
    std::size_t written = 0;
    std::size_t i = 0;
    while (i < utf8.size()) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        char mapped = 0;
        if (c < 0x80) {
            mapped = map_ascii(static_cast<char>(c));
            i += 1;
        } else if ((c == 0xd0 || c == 0xd1) && i + 1 < utf8.size() &&
                   is_continuation(static_cast<unsigned char>(utf8[i + 1]))) {
            const std::uint32_t cp =
                ((c & 0x1fu) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3fu);
            if (cp >= kCapitalA && cp < kCapitalA + 32) {
                mapped = kUpperLetters[cp - kCapitalA];
            } else if (cp >= kSmallA && cp < kSmallA + 32) {
                mapped = kLowerLetters[cp - kSmallA];
            } else if (cp == kCapitalIo) {
                mapped = '~';
            } else if (cp == kSmallIo) {
                mapped = '`';
            } else {
                return std::nullopt;  // Ukrainian, Belarusian... letters have no key here
            }
            i += 2;
        } else if (is_numero_sign(utf8, i)) {
            mapped = '#';
            i += 3;
        } else {
            return std::nullopt;
        }
        if (written >= out_size) return std::nullopt;
        out[written++] = mapped;
    }
    return written;
}

}  // namespace piotd::protocol
