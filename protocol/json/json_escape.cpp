#include "protocol/json/json_escape.hpp"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace piotd::protocol {

namespace {

#if defined(__SSE2__)
__m128i load16(const char* at) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
}

// One bit per byte of `s` that needs an escape: a control character, '"' or '\\'.
unsigned escape_mask(__m128i s) {
    const __m128i last_control = _mm_set1_epi8(0x1F);
    const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(s, last_control), last_control);
    const __m128i special =
        _mm_or_si128(_mm_cmpeq_epi8(s, _mm_set1_epi8('"')), _mm_cmpeq_epi8(s, _mm_set1_epi8('\\')));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(control, special)));
}

// Text of 4 to 15 bytes in one vector from two overlapping loads that stay inside it: its
// first and last 8 bytes, or 4. Lanes 0..7 hold the head, lanes 8..15 the tail; the unused
// lanes of a 4-byte half hold spaces (no escape). `half` is 8 or 4.
__m128i load_short(const char* p, std::size_t size, std::size_t half) {
    std::uint64_t lanes[2] = {0x2020202020202020ULL, 0x2020202020202020ULL};
    // Constant sizes, so that each copy is one move.
    if (half == 8) {
        std::memcpy(&lanes[0], p, 8);
        std::memcpy(&lanes[1], p + size - 8, 8);
    } else {
        std::memcpy(&lanes[0], p, 4);
        std::memcpy(&lanes[1], p + size - 4, 4);
    }
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(lanes));
}
#endif

}  // namespace

// Out of line on purpose: inlined into a caller with a short constant string, GCC 12 warns that
// the (unreachable) sixteen-byte load would read past it.
const char* find_json_escape(const char* p, const char* end) {
#if defined(__SSE2__)
    // Sixteen bytes at a time, never reading outside [p, end). A byte loop cost ~5 instructions
    // per byte.
    const auto size = static_cast<std::size_t>(end - p);
    if (size >= 4 && size < 16) {
        // Short text (a GTIN, a version): the first set lane of the head, if any, is the first
        // escape; else the tail's.
        const std::size_t half = size >= 8 ? 8 : 4;
        const unsigned mask = escape_mask(load_short(p, size, half));
        if ((mask & 0xFFu) != 0) return p + __builtin_ctz(mask);
        if (mask != 0) return end - half + (__builtin_ctz(mask) - 8);
        return end;
    }
    if (size >= 16) {
        for (; end - p >= 16; p += 16) {
            if (const unsigned mask = escape_mask(load16(p))) return p + __builtin_ctz(mask);
        }
        if (p == end) return end;
        // The tail: the last sixteen bytes again, minus those already looked at.
        const char* const last = end - 16;
        const unsigned mask = escape_mask(load16(last)) & (0xFFFFu << (p - last));
        return mask != 0 ? last + __builtin_ctz(mask) : end;
    }
#endif
    for (; p != end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c < 0x20 || c == '"' || c == '\\') return p;
    }
    return end;
}

bool copy_without_json_escape(const char* p, std::size_t size, char* out) {
#if defined(__SSE2__)
    // Each load is stored as it is checked; the last sixteen bytes overlap the block before
    // (stored again, the same bytes) rather than being copied byte by byte.
    if (size >= 16) {
        const char* const last = p + size - 16;
        for (std::size_t at = 0; p + at < last; at += 16) {
            const __m128i s = load16(p + at);
            if (escape_mask(s) != 0) return false;
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + at), s);
        }
        const __m128i s = load16(last);
        if (escape_mask(s) != 0) return false;
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + size - 16), s);
        return true;
    }
    if (size >= 4) {
        const std::size_t half = size >= 8 ? 8 : 4;
        if (escape_mask(load_short(p, size, half)) != 0) return false;
        // Two overlapping copies of constant size: a few moves, no call.
        if (half == 8) {
            std::memcpy(out, p, 8);
            std::memcpy(out + size - 8, p + size - 8, 8);
        } else {
            std::memcpy(out, p, 4);
            std::memcpy(out + size - 4, p + size - 4, 4);
        }
        return true;
    }
#endif
    if (find_json_escape(p, p + size) != p + size) return false;
    if (size != 0) std::memcpy(out, p, size);
    return true;
}

}  // namespace piotd::protocol
