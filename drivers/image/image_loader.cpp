#include "drivers/image/image_loader.hpp"

#include <png.h>
#include <turbojpeg.h>

#include <cstring>
#include <memory>

namespace piotd::drivers {

std::string_view image_format_name(ImageFormat format) {
    switch (format) {
        case ImageFormat::png:
            return "png";
        case ImageFormat::jpeg:
            return "jpeg";
        case ImageFormat::unknown:
            return "unknown";
    }
    return "unknown";
}

ImageFormat sniff_image_format(std::string_view bytes) {
    if (bytes.size() >= 8 && std::memcmp(bytes.data(), "\x89PNG\r\n\x1a\n", 8) == 0) {
        return ImageFormat::png;
    }
    if (bytes.size() >= 3 && std::memcmp(bytes.data(), "\xff\xd8\xff", 3) == 0) {
        return ImageFormat::jpeg;
    }
    return ImageFormat::unknown;
}

namespace {

LoadedImage failure(ImageError error, ImageFormat format, std::string detail) {
    LoadedImage result;
    result.error = error;
    result.format = format;
    result.detail = std::move(detail);
    return result;
}

bool within(std::size_t width, std::size_t height, std::size_t max_pixels) {
    return width > 0 && height > 0 && width <= 65535 && height <= 65535 &&
           width * height <= max_pixels;
}

LoadedImage load_png(std::string_view bytes, std::size_t max_pixels) {
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
        std::string message = image.message;
        png_image_free(&image);
        return failure(ImageError::malformed, ImageFormat::png, "PNG: " + message);
    }
    if (!within(image.width, image.height, max_pixels)) {
        png_image_free(&image);
        return failure(ImageError::too_large, ImageFormat::png,
                       "PNG of " + std::to_string(image.width) + "x" +
                           std::to_string(image.height) + " pixels is larger than allowed");
    }
    // Grey plus alpha, composited on white below: a transparent background is paper, not ink.
    image.format = PNG_FORMAT_GA;
    std::vector<std::uint8_t> ga(PNG_IMAGE_SIZE(image));
    if (!png_image_finish_read(&image, nullptr, ga.data(), 0, nullptr)) {
        std::string message = image.message;
        png_image_free(&image);
        return failure(ImageError::malformed, ImageFormat::png, "PNG: " + message);
    }
    LoadedImage result;
    result.format = ImageFormat::png;
    result.image.width = static_cast<int>(image.width);
    result.image.height = static_cast<int>(image.height);
    result.image.pixels.resize(static_cast<std::size_t>(image.width) * image.height);
    for (std::size_t i = 0; i < result.image.pixels.size(); ++i) {
        const unsigned grey = ga[2 * i];
        const unsigned alpha = ga[2 * i + 1];
        result.image.pixels[i] =
            static_cast<std::uint8_t>((grey * alpha + 255u * (255u - alpha) + 127u) / 255u);
    }
    png_image_free(&image);
    return result;
}

LoadedImage load_jpeg(std::string_view bytes, std::size_t max_pixels) {
    std::unique_ptr<void, int (*)(tjhandle)> handle(tjInitDecompress(), tjDestroy);
    if (!handle) return failure(ImageError::malformed, ImageFormat::jpeg, "JPEG: no decoder");
    auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto size = static_cast<unsigned long>(bytes.size());
    int width = 0;
    int height = 0;
    int subsampling = 0;
    int colorspace = 0;
    if (tjDecompressHeader3(handle.get(), data, size, &width, &height, &subsampling, &colorspace) !=
        0) {
        return failure(ImageError::malformed, ImageFormat::jpeg,
                       std::string("JPEG: ") + tjGetErrorStr2(handle.get()));
    }
    if (width <= 0 || height <= 0) {
        return failure(ImageError::malformed, ImageFormat::jpeg, "JPEG: no image size");
    }
    if (!within(static_cast<std::size_t>(width), static_cast<std::size_t>(height), max_pixels)) {
        return failure(ImageError::too_large, ImageFormat::jpeg,
                       "JPEG of " + std::to_string(width) + "x" + std::to_string(height) +
                           " pixels is larger than allowed");
    }
    LoadedImage result;
    result.format = ImageFormat::jpeg;
    result.image.width = width;
    result.image.height = height;
    result.image.pixels.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
    // LIMITSCANS: a progressive JPEG with thousands of scans is a CPU bomb, not a photo.
    if (tjDecompress2(handle.get(), data, size, result.image.pixels.data(), width, 0, height,
                      TJPF_GRAY, TJFLAG_LIMITSCANS) != 0 &&
        tjGetErrorCode(handle.get()) == TJERR_FATAL) {
        return failure(ImageError::malformed, ImageFormat::jpeg,
                       std::string("JPEG: ") + tjGetErrorStr2(handle.get()));
    }
    // A warning (a truncated file) still leaves a usable picture: decode what is there.
    return result;
}

}  // namespace

LoadedImage load_gray_image(std::string_view bytes, std::size_t max_pixels) {
    switch (sniff_image_format(bytes)) {
        case ImageFormat::png:
            return load_png(bytes, max_pixels);
        case ImageFormat::jpeg:
            return load_jpeg(bytes, max_pixels);
        case ImageFormat::unknown:
            break;
    }
    return failure(ImageError::unsupported_format, ImageFormat::unknown, "not a PNG or JPEG image");
}

}  // namespace piotd::drivers
