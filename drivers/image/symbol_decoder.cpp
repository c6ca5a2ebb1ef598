#include "drivers/image/symbol_decoder.hpp"

// text() as UTF-8 std::string (1.4 still defaults to std::wstring).
#define ZX_USE_UTF8 1

#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ReadBarcode.h>
#include <algorithm>
#include <utility>

namespace piotd::drivers {

namespace {

constexpr std::size_t kMaxSymbols = 32;

// Paints the symbol's quadrilateral, grown by a fifth around its centre (the quiet zone and a
// little more), white, so the next pass finds the next symbol.
void erase(GrayImage& image, const std::array<SymbolPoint, 4>& corners) {
    double cx = 0, cy = 0;
    for (const auto& p : corners) {
        cx += p.x / 4.0;
        cy += p.y / 4.0;
    }
    std::array<std::pair<double, double>, 4> q{};
    double min_x = image.width, min_y = image.height, max_x = 0, max_y = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        q[i] = {cx + (corners[i].x - cx) * 1.2, cy + (corners[i].y - cy) * 1.2};
        min_x = std::min(min_x, q[i].first);
        max_x = std::max(max_x, q[i].first);
        min_y = std::min(min_y, q[i].second);
        max_y = std::max(max_y, q[i].second);
    }
    const int x0 = std::max(0, static_cast<int>(min_x) - 1);
    const int y0 = std::max(0, static_cast<int>(min_y) - 1);
    const int x1 = std::min(image.width - 1, static_cast<int>(max_x) + 1);
    const int y1 = std::min(image.height - 1, static_cast<int>(max_y) + 1);
    for (int y = y0; y <= y1; ++y) {
        for (int x = x0; x <= x1; ++x) {
            // Inside a convex quadrilateral: on the same side of all four edges.
            int positive = 0, negative = 0;
            for (std::size_t i = 0; i < 4; ++i) {
                const auto& a = q[i];
                const auto& b = q[(i + 1) % 4];
                const double cross =
                    (b.first - a.first) * (y - a.second) - (b.second - a.second) * (x - a.first);
                (cross >= 0 ? positive : negative)++;
            }
            if (positive == 4 || negative == 4) {
                image.pixels[static_cast<std::size_t>(y) * image.width + x] = 255;
            }
        }
    }
}

}  // namespace

std::vector<DecodedSymbol> decode_symbols(const GrayImage& input) {
    std::vector<DecodedSymbol> symbols;
    if (input.width <= 0 || input.height <= 0 ||
        input.pixels.size() < static_cast<std::size_t>(input.width) * input.height) {
        return symbols;
    }
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::DataMatrix);
    hints.setTryHarder(true);
    hints.setTryRotate(true);
    // zxing-cpp 1.4 reports at most one DataMatrix per image; a picture of several products
    // holds several. So: decode, erase what was found, decode again.
    GrayImage image;
    const GrayImage* current = &input;
    while (symbols.size() < kMaxSymbols) {
        const ZXing::ImageView view(current->pixels.data(), current->width, current->height,
                                    ZXing::ImageFormat::Lum);
        const ZXing::Results results = ZXing::ReadBarcodes(view, hints);
        std::size_t found = 0;
        for (const ZXing::Result& result : results) {
            if (!result.isValid()) continue;
            DecodedSymbol symbol;
            symbol.format = ZXing::ToString(result.format());
            symbol.symbology = result.symbologyIdentifier();
            const auto& bytes = result.bytes();
            symbol.bytes.assign(bytes.begin(), bytes.end());
            symbol.text = result.text();
            const auto& position = result.position();
            for (int i = 0; i < 4; ++i) {
                symbol.corners[static_cast<std::size_t>(i)] = {position[i].x, position[i].y};
            }
            symbol.orientation = result.orientation();
            if (current == &input) image = input;  // copy only when there is something to erase
            current = &image;
            erase(image, symbol.corners);
            symbols.push_back(std::move(symbol));
            ++found;
        }
        if (found == 0) break;
    }
    return symbols;
}

}  // namespace piotd::drivers
