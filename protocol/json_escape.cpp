#include "protocol/json_escape.hpp"

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
    if (end - p >= 16) {
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
