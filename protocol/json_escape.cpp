#include "protocol/json_escape.hpp"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace piotd::protocol {

// Out of line on purpose: inlined into a caller with a short constant string, GCC 12 warns that
// the (unreachable) sixteen-byte load would read past it.
const char* find_json_escape(const char* p, const char* end) {
#if defined(__SSE2__)
    // Sixteen bytes at a time, never reading outside [p, end).
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i last_control = _mm_set1_epi8(0x1F);
    const auto escapes_in = [&](const char* at) {
        const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
        const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(s, last_control), last_control);
        const __m128i special =
            _mm_or_si128(_mm_cmpeq_epi8(s, quote), _mm_cmpeq_epi8(s, backslash));
        return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(control, special)));
    };
    const std::ptrdiff_t size = end - p;
    if (size >= 4 && size < 16) {
        // Short text (a GTIN, a version) in one vector from two overlapping loads that stay
        // inside [p, end): the first and last 8 bytes, or 4. A byte loop cost ~5 instructions
        // per byte. Lanes 0..7 hold p[0..], lanes 8..15 the text's tail, so the first set lane
        // of the low half, if any, is the first escape; else the high half's is.
        const std::ptrdiff_t half = size >= 8 ? 8 : 4;
        std::uint64_t head = 0;
        std::uint64_t tail = 0;
        std::memcpy(&head, p, static_cast<std::size_t>(half));
        std::memcpy(&tail, end - half, static_cast<std::size_t>(half));
        alignas(16) std::uint64_t lanes[2] = {head, tail};
        if (half == 4) {
            // Pad the unused lanes with a byte that needs no escape.
            lanes[0] |= 0x2020202000000000ULL;
            lanes[1] |= 0x2020202000000000ULL;
        }
        const unsigned mask = escapes_in(reinterpret_cast<const char*>(lanes));
        if ((mask & 0xFFu) != 0) return p + __builtin_ctz(mask);
        if (mask != 0) return end - half + (__builtin_ctz(mask) - 8);
        return end;
    }
    if (size >= 16) {
        for (; end - p >= 16; p += 16) {
            if (const unsigned mask = escapes_in(p)) return p + __builtin_ctz(mask);
        }
        if (p == end) return end;
        // The tail: the last sixteen bytes again, minus those already looked at.
        const char* const last = end - 16;
        const unsigned mask = escapes_in(last) & (0xFFFFu << (p - last));
        return mask != 0 ? last + __builtin_ctz(mask) : end;
    }
#endif
    for (; p != end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c < 0x20 || c == '"' || c == '\\') return p;
    }
    return end;
}

}  // namespace piotd::protocol
