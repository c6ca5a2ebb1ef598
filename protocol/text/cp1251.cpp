#include "protocol/text/cp1251.hpp"

namespace piotd::protocol {

namespace {

std::uint8_t map_code_point(std::uint32_t cp) {
    if (cp < 0x80) return static_cast<std::uint8_t>(cp);
    if (cp >= 0x0410 && cp <= 0x044F) return static_cast<std::uint8_t>(0xC0 + (cp - 0x0410));
    if (cp == 0x0401) return 0xA8;  // Ё
    if (cp == 0x0451) return 0xB8;  // ё
    if (cp == 0x2116) return 0xB9;  // №
    return '?';
}

}  // namespace

std::vector<std::uint8_t> utf8_to_cp1251(std::string_view text, std::size_t max_bytes) {
    std::vector<std::uint8_t> out;
    std::size_t i = 0;
    while (i < text.size() && out.size() < max_bytes) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        std::uint32_t cp = 0;
        if (lead < 0x80) {
            cp = lead;
        } else if ((lead & 0xE0) == 0xC0) {
            extra = 1;
            cp = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            extra = 2;
            cp = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            extra = 3;
            cp = lead & 0x07;
        } else {
            out.push_back('?');
            ++i;
            continue;
        }
        bool valid = i + extra < text.size();
        for (std::size_t k = 1; valid && k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) valid = false;
            cp = (cp << 6) | (next & 0x3F);
        }
        if (!valid) {
            out.push_back('?');
            ++i;
            continue;
        }
        out.push_back(map_code_point(cp));
        i += extra + 1;
    }
    return out;
}

}  // namespace piotd::protocol
