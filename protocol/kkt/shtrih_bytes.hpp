// Little-endian field packing for Shtrih-M command data (tspiot-kkt.md §B.2.1: numbers LE,
// money 5-byte kopecks, quantities 6-byte with 6 decimals). ByteReader never reads past the end:
// a short field makes it fail and every later read return zero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace piotd::protocol::shtrih {

class ByteWriter {
public:
    void u8(std::uint8_t v) { bytes_.push_back(v); }
    // The low `width` bytes of v, least significant first.
    void le(std::uint64_t v, std::size_t width) {
        for (std::size_t i = 0; i < width; ++i)
            bytes_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    void raw(std::span<const std::uint8_t> b) { bytes_.insert(bytes_.end(), b.begin(), b.end()); }
    std::vector<std::uint8_t>& bytes() { return bytes_; }
    std::vector<std::uint8_t> take() { return std::move(bytes_); }

private:
    std::vector<std::uint8_t> bytes_;
};

class ByteReader {
public:
    explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
    std::uint8_t u8() { return static_cast<std::uint8_t>(le(1)); }
    std::uint64_t le(std::size_t width) {
        if (!ok_ || width > 8 || bytes_.size() - pos_ < width) {
            ok_ = false;
            return 0;
        }
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < width; ++i) v |= std::uint64_t{bytes_[pos_ + i]} << (8 * i);
        pos_ += width;
        return v;
    }
    std::span<const std::uint8_t> raw(std::size_t n) {
        if (!ok_ || bytes_.size() - pos_ < n) {
            ok_ = false;
            return {};
        }
        const auto out = bytes_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    std::span<const std::uint8_t> rest() { return raw(bytes_.size() - pos_); }
    std::size_t remaining() const { return bytes_.size() - pos_; }
    bool ok() const { return ok_; }

private:
    std::span<const std::uint8_t> bytes_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

}  // namespace piotd::protocol::shtrih
