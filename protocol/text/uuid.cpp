#include "protocol/text/uuid.hpp"

#include <cstring>
#include <random>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

#if !defined(__SSE2__)
constexpr char kHex[] = "0123456789abcdef";
#endif

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
    // The 16 bytes in big-endian order, as RFC 4122 writes them.
    std::array<std::uint8_t, 16> bytes{};
    const std::uint64_t hi = __builtin_bswap64(next_u64());
    const std::uint64_t lo = __builtin_bswap64(next_u64());
    std::memcpy(bytes.data(), &hi, 8);
    std::memcpy(bytes.data() + 8, &lo, 8);
    bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);  // variant 10xx (RFC 4122)

    // 32 hex digits, then the dashes put in as the 8-4-4-4-12 groups are copied.
    char hex[32];
#if defined(__SSE2__)
    // Every nibble at once: a digit is '0' + n, plus 39 more ('a' - '0' - 10) above 9. The byte
    // loop this replaces cost ~200 instructions per answer (callgrind).
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes.data()));
    const __m128i low_nibbles = _mm_set1_epi8(0x0f);
    const __m128i high = _mm_and_si128(_mm_srli_epi16(v, 4), low_nibbles);
    const __m128i low = _mm_and_si128(v, low_nibbles);
    const auto digits = [](__m128i n) {
        const __m128i letters =
            _mm_and_si128(_mm_cmpgt_epi8(n, _mm_set1_epi8(9)), _mm_set1_epi8(39));
        return _mm_add_epi8(_mm_add_epi8(n, _mm_set1_epi8('0')), letters);
    };
    const __m128i high_digits = digits(high);
    const __m128i low_digits = digits(low);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(hex), _mm_unpacklo_epi8(high_digits, low_digits));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(hex + 16),
                     _mm_unpackhi_epi8(high_digits, low_digits));
#else
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        hex[2 * i] = kHex[bytes[i] >> 4];
        hex[2 * i + 1] = kHex[bytes[i] & 0x0f];
    }
#endif
    UuidText text{};
    std::memcpy(text.data(), hex, 8);
    text[8] = '-';
    std::memcpy(text.data() + 9, hex + 8, 4);
    text[13] = '-';
    std::memcpy(text.data() + 14, hex + 12, 4);
    text[18] = '-';
    std::memcpy(text.data() + 19, hex + 16, 4);
    text[23] = '-';
    std::memcpy(text.data() + 24, hex + 20, 12);
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
