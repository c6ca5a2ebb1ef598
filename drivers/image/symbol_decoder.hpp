// Finds and decodes DataMatrix symbols (plain and GS1) in a grey image with ZXing-cpp (Debian 12:
// 1.4.0). The content is taken as bytes (Result::bytes()), never as text: 1.4's text() is a
// wstring and 2.x turns GS1 content into "(01)…" HRI, either of which would lose the GS bytes a
// marking code needs. A GS1 symbol's leading FNC1 is reported as the symbology "]d2" and inner
// FNC1s as GS bytes, so the bytes are what a correctly set serial scanner sends.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "drivers/image/image_loader.hpp"

namespace piotd::drivers {

struct SymbolPoint {
    int x = 0;
    int y = 0;
};

struct DecodedSymbol {
    std::string format;                    // "DataMatrix"
    std::string symbology;                 // AIM id: "]d1" plain, "]d2" GS1
    std::string bytes;                     // content bytes, GS as 0x1D
    std::string text;                      // the bytes as UTF-8 (by ECI or guessed character set)
    std::array<SymbolPoint, 4> corners{};  // top-left, top-right, bottom-right, bottom-left
    int orientation = 0;                   // degrees
};

// Every DataMatrix found (try harder, rotations). Never throws for a bad image: no symbols.
std::vector<DecodedSymbol> decode_symbols(const GrayImage& image);

}  // namespace piotd::drivers
