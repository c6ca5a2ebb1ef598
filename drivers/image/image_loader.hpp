// Turns an uploaded PNG or JPEG into the 8-bit grey image the symbol decoder reads. Every upload
// is hostile: the format is sniffed from the bytes (not the Content-Type), the dimensions are
// checked against a pixel budget before any pixel buffer is allocated (decompression bombs), and
// libpng's simplified API and TurboJPEG report errors as values (no longjmp through our frames).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace piotd::drivers {

enum class ImageFormat : std::uint8_t { png, jpeg, unknown };

std::string_view image_format_name(ImageFormat format);
// By magic number.
ImageFormat sniff_image_format(std::string_view bytes);

struct GrayImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;  // width * height, row-major, 0 = black
};

enum class ImageError : std::uint8_t {
    none,
    unsupported_format,  // not PNG or JPEG
    too_large,           // more pixels than allowed
    malformed,           // the decoder refused it
};

struct LoadedImage {
    ImageError error = ImageError::none;
    std::string detail;  // the decoder's message on error
    ImageFormat format = ImageFormat::unknown;
    GrayImage image;
};

LoadedImage load_gray_image(std::string_view bytes, std::size_t max_pixels);

}  // namespace piotd::drivers
