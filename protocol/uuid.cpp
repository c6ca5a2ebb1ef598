#include "protocol/uuid.hpp"

#include <random>

namespace piotd::protocol {

namespace {

// splitmix64 spreads one seed over xoshiro's 256-bit state; xoshiro's authors recommend it
// because a state of all zeros (or with little entropy) would make the generator degenerate.
std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

UuidGenerator::UuidGenerator(std::uint64_t seed) {
    for (auto& word : s_) word = splitmix64(seed);
}

std::uint64_t UuidGenerator::next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

UuidText UuidGenerator::next() {
    std::array<std::uint8_t, 16> bytes{};
    const std::uint64_t hi = next_u64();
    const std::uint64_t lo = next_u64();
    for (int i = 0; i < 8; ++i) {
        bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(hi >> (56 - 8 * i));
        bytes[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(lo >> (56 - 8 * i));
    }
    bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);  // variant 10xx (RFC 4122)

    UuidText text{};
    std::size_t o = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text[o++] = '-';
        text[o++] = kHex[bytes[i] >> 4];
        text[o++] = kHex[bytes[i] & 0x0f];
    }
    return text;
}

UuidText random_uuid_text() {
    thread_local UuidGenerator generator([] {
        std::random_device device;
        return (static_cast<std::uint64_t>(device()) << 32) ^ device();
    }());
    return generator.next();
}

std::string random_uuid() {
    const UuidText text = random_uuid_text();
    return std::string(text.data(), text.size());
}

}  // namespace piotd::protocol
