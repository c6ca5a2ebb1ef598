// Image decoding: DataMatrix symbols of real-shaped codes drawn with ZXing-cpp's writer come back
// byte-exact (GS included) from PNG and JPEG, upright, rotated and noisy; hostile files are
// refused with a reason and never crash.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "drivers/image/image_loader.hpp"
#include "drivers/image/symbol_decoder.hpp"
#include "protocol/codes/marking_code.hpp"
#include "tests/support/image_fixtures.hpp"

using namespace piotd::drivers;
using namespace piotd::test;

namespace {

std::vector<DecodedSymbol> decode_bytes(const std::string& file) {
    const LoadedImage loaded = load_gray_image(file, 40'000'000);
    REQUIRE_MESSAGE(loaded.error == ImageError::none, loaded.detail);
    return decode_symbols(loaded.image);
}

}  // namespace

TEST_SUITE("drivers.image") {
    TEST_CASE("every valid.tsv code round-trips byte-exact through a PNG DataMatrix") {
        const auto codes = valid_codes(PIOTD_TEST_DATA_DIR "/codes/valid.tsv");
        REQUIRE(codes.size() >= 20);
        for (const std::string& code : codes) {
            CAPTURE(code);
            const auto symbols = decode_bytes(encode_png(datamatrix_image(code, 4)));
            REQUIRE(symbols.size() == 1);
            CHECK(symbols[0].bytes == code);
            CHECK(symbols[0].format == "DataMatrix");
            const auto parsed = piotd::protocol::parse_marking_code(
                symbols[0].bytes, piotd::protocol::InputChannel::serial);
            CHECK(parsed);
        }
    }

    TEST_CASE("JPEG, rotated and noisy symbols decode") {
        const std::string code =
            "0104653820923088215GoNfWgdcBeVZ\x1d"
            "93dGVz";
        auto symbols = decode_bytes(encode_jpeg(datamatrix_image(code), 75));
        REQUIRE(symbols.size() == 1);
        CHECK(symbols[0].bytes == code);

        symbols = decode_bytes(encode_png(rotated(datamatrix_image(code, 8), 27.0)));
        REQUIRE(symbols.size() == 1);
        CHECK(symbols[0].bytes == code);
        CHECK(symbols[0].corners[0].x != symbols[0].corners[3].x);  // not axis-aligned

        symbols = decode_bytes(encode_jpeg(noisy(datamatrix_image(code, 8), 20.0, 0.01), 60));
        REQUIRE(symbols.size() == 1);
        CHECK(symbols[0].bytes == code);

        symbols =
            decode_bytes(encode_png(noisy(rotated(datamatrix_image(code, 8), 200.0), 15.0, 0.005)));
        REQUIRE(symbols.size() == 1);
        CHECK(symbols[0].bytes == code);
    }

    TEST_CASE("two symbols in one picture are both found") {
        const std::string a =
            "0104670540176099215'W9Um\x1d"
            "93dGVz";
        const std::string b = "04601653035829H;dV)bFABVUdGVz";
        const GrayImage left = datamatrix_image(a, 6);
        const GrayImage right = datamatrix_image(b, 6);
        GrayImage both;
        both.width = left.width + right.width + 40;
        both.height = std::max(left.height, right.height);
        both.pixels.assign(static_cast<std::size_t>(both.width) * both.height, 255);
        for (int y = 0; y < left.height; ++y) {
            for (int x = 0; x < left.width; ++x) {
                both.pixels[static_cast<std::size_t>(y) * both.width + x] =
                    left.pixels[static_cast<std::size_t>(y) * left.width + x];
            }
        }
        for (int y = 0; y < right.height; ++y) {
            for (int x = 0; x < right.width; ++x) {
                both.pixels[static_cast<std::size_t>(y) * both.width + left.width + 40 + x] =
                    right.pixels[static_cast<std::size_t>(y) * right.width + x];
            }
        }
        const auto symbols = decode_bytes(encode_png(both));
        REQUIRE(symbols.size() == 2);
        const bool in_order = symbols[0].bytes == a;
        CHECK((in_order ? symbols[1].bytes : symbols[0].bytes) == b);
        CHECK((in_order ? symbols[0].bytes : symbols[1].bytes) == a);
    }

    TEST_CASE("hostile files: not an image, truncated, bit-flipped, too many pixels") {
        CHECK(load_gray_image("hello, world", 1000).error == ImageError::unsupported_format);
        CHECK(load_gray_image("", 1000).error == ImageError::unsupported_format);
        CHECK(load_gray_image("GIF89a....", 1000).error == ImageError::unsupported_format);

        const std::string code =
            "0104670540176099215'W9Um\x1d"
            "93dGVz";
        const std::string png = encode_png(datamatrix_image(code));
        const std::string jpeg = encode_jpeg(datamatrix_image(code));
        CHECK(load_gray_image(png.substr(0, 40), 40'000'000).error == ImageError::malformed);
        CHECK(load_gray_image(png.substr(0, 8), 40'000'000).error == ImageError::malformed);
        CHECK(load_gray_image(jpeg.substr(0, 20), 40'000'000).error == ImageError::malformed);
        CHECK(load_gray_image(png, 100).error == ImageError::too_large);
        CHECK(load_gray_image(jpeg, 100).error == ImageError::too_large);

        // Random corruption: any answer is fine, a crash or a sanitizer report is not.
        std::mt19937 random(42);
        for (const std::string* original : {&png, &jpeg}) {
            for (int round = 0; round < 150; ++round) {
                std::string file = *original;
                const int flips = 1 + round % 8;
                for (int i = 0; i < flips; ++i) {
                    const std::size_t at = random() % file.size();
                    file[at] = static_cast<char>(random());
                }
                if (round % 5 == 0) file.resize(random() % file.size());
                const LoadedImage loaded = load_gray_image(file, 4'000'000);
                if (loaded.error == ImageError::none) decode_symbols(loaded.image);
            }
        }
    }
}
