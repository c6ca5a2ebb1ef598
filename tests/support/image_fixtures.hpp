// Test images: DataMatrix symbols drawn with ZXing-cpp's writer (1.4 API), rotated, noisy, and
// encoded as PNG (libpng) or JPEG (TurboJPEG), as a phone or a document scanner would give them.
#pragma once

#include <png.h>
#include <turbojpeg.h>

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/image/image_loader.hpp"

namespace piotd::test {

// `content` as a DataMatrix, `module` pixels per module, with a white quiet zone of 4 modules.
inline drivers::GrayImage datamatrix_image(const std::string& content, int module = 6) {
    const ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::DataMatrix);
    const ZXing::BitMatrix matrix = writer.encode(content, 0, 0);
    const int quiet = 4;
    drivers::GrayImage image;
    image.width = (matrix.width() + 2 * quiet) * module;
    image.height = (matrix.height() + 2 * quiet) * module;
    image.pixels.assign(static_cast<std::size_t>(image.width) * image.height, 255);
    for (int y = 0; y < matrix.height(); ++y) {
        for (int x = 0; x < matrix.width(); ++x) {
            if (!matrix.get(x, y)) continue;
            for (int dy = 0; dy < module; ++dy) {
                for (int dx = 0; dx < module; ++dx) {
                    const int px = (x + quiet) * module + dx;
                    const int py = (y + quiet) * module + dy;
                    image.pixels[static_cast<std::size_t>(py) * image.width + px] = 0;
                }
            }
        }
    }
    return image;
}

// Rotated by `degrees` about the centre onto a larger white canvas (bilinear).
inline drivers::GrayImage rotated(const drivers::GrayImage& in, double degrees) {
    const double a = degrees * M_PI / 180.0;
    const double c = std::cos(a);
    const double s = std::sin(a);
    drivers::GrayImage out;
    out.width = out.height = static_cast<int>(std::hypot(in.width, in.height)) + 8;
    out.pixels.assign(static_cast<std::size_t>(out.width) * out.height, 255);
    const double cx = in.width / 2.0, cy = in.height / 2.0;
    const double ox = out.width / 2.0, oy = out.height / 2.0;
    for (int y = 0; y < out.height; ++y) {
        for (int x = 0; x < out.width; ++x) {
            const double sx = c * (x - ox) + s * (y - oy) + cx;
            const double sy = -s * (x - ox) + c * (y - oy) + cy;
            const int x0 = static_cast<int>(std::floor(sx));
            const int y0 = static_cast<int>(std::floor(sy));
            if (x0 < 0 || y0 < 0 || x0 + 1 >= in.width || y0 + 1 >= in.height) continue;
            const double fx = sx - x0, fy = sy - y0;
            const auto at = [&](int px, int py) {
                return static_cast<double>(in.pixels[static_cast<std::size_t>(py) * in.width + px]);
            };
            const double v = at(x0, y0) * (1 - fx) * (1 - fy) + at(x0 + 1, y0) * fx * (1 - fy) +
                             at(x0, y0 + 1) * (1 - fx) * fy + at(x0 + 1, y0 + 1) * fx * fy;
            out.pixels[static_cast<std::size_t>(y) * out.width + x] = static_cast<std::uint8_t>(v);
        }
    }
    return out;
}

// Gaussian noise of `sigma` grey levels plus a share of salt-and-pepper pixels; seeded.
inline drivers::GrayImage noisy(drivers::GrayImage image, double sigma, double salt_share,
                                unsigned seed = 7) {
    std::mt19937 random(seed);
    std::normal_distribution<double> noise(0.0, sigma);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    for (auto& p : image.pixels) {
        double v = p + noise(random);
        if (uniform(random) < salt_share) v = uniform(random) < 0.5 ? 0 : 255;
        p = static_cast<std::uint8_t>(std::clamp(v, 0.0, 255.0));
    }
    return image;
}

inline std::string encode_png(const drivers::GrayImage& image) {
    png_image png{};
    png.version = PNG_IMAGE_VERSION;
    png.width = static_cast<png_uint_32>(image.width);
    png.height = static_cast<png_uint_32>(image.height);
    png.format = PNG_FORMAT_GRAY;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&png, nullptr, &size, 0, image.pixels.data(), 0, nullptr)) {
        throw std::runtime_error("png size");
    }
    std::string out(size, '\0');
    if (!png_image_write_to_memory(&png, out.data(), &size, 0, image.pixels.data(), 0, nullptr)) {
        throw std::runtime_error("png write");
    }
    out.resize(size);
    return out;
}

inline std::string encode_jpeg(const drivers::GrayImage& image, int quality = 90) {
    tjhandle handle = tjInitCompress();
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    if (tjCompress2(handle, image.pixels.data(), image.width, 0, image.height, TJPF_GRAY, &buffer,
                    &size, TJSAMP_GRAY, quality, 0) != 0) {
        tjDestroy(handle);
        throw std::runtime_error("jpeg write");
    }
    std::string out(reinterpret_cast<const char*>(buffer), size);
    tjFree(buffer);
    tjDestroy(handle);
    return out;
}

// The codes of tests/data/codes/valid.tsv (column 2, ␝ turned into GS).
inline std::vector<std::string> valid_codes(const std::string& tsv_path) {
    std::vector<std::string> codes;
    std::ifstream in(tsv_path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto first = line.find('\t');
        const auto second = line.find('\t', first + 1);
        const std::string_view field = std::string_view(line).substr(first + 1, second - first - 1);
        // Rebuilt rather than replace()d in place: GCC 12 -O3 warns falsely (-Wrestrict) there.
        std::string code;
        for (std::size_t at = 0; at < field.size();) {
            if (field.substr(at, 3) == "\xe2\x90\x9d") {
                code += '\x1d';
                at += 3;
            } else {
                code += field[at++];
            }
        }
        codes.push_back(std::move(code));
    }
    return codes;
}

}  // namespace piotd::test
