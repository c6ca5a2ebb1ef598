// The JSON writer every answer is built with (RapidJSON, UTF-8 in and out), over JsonBuffer.
//
// JsonBuffer is RapidJSON's StringBuffer with one thing changed: the writer copies each run of
// characters that need no escaping in one go. RapidJSON's own loop stores a string one character
// at a time, and since a char store may alias the buffer's end pointer, it reloads that pointer
// for every character: writing a check answer was ~5,000 instructions, a third of a whole HTTP
// check (callgrind, bench/instructions.sh). The output is byte for byte RapidJSON's; a unit test
// compares the two on every byte value.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace piotd::protocol {

class JsonBuffer : public rapidjson::StringBuffer {};

// RapidJSON picks these by overload: without them a derived buffer would get its generic
// fallbacks (no reservation, a capacity check per character).
inline void PutReserve(JsonBuffer& buffer, std::size_t count) {
    buffer.Reserve(count);
}
inline void PutUnsafe(JsonBuffer& buffer, char c) {
    buffer.PutUnsafe(c);
}

// Where the first character RapidJSON's default writer escapes is (control characters, '"' and
// '\\'; everything else, UTF-8 included, is copied as it is), or `end`.
inline const char* find_json_escape(const char* p, const char* end) {
#if defined(__SSE2__)
    // Sixteen bytes at a time, never reading past `end`.
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i last_control = _mm_set1_epi8(0x1F);
    for (; end - p >= 16; p += 16) {
        const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(s, last_control), last_control);
        const __m128i special =
            _mm_or_si128(_mm_cmpeq_epi8(s, quote), _mm_cmpeq_epi8(s, backslash));
        const int mask = _mm_movemask_epi8(_mm_or_si128(control, special));
        if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    }
#endif
    for (; p != end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c < 0x20 || c == '"' || c == '\\') return p;
    }
    return end;
}

}  // namespace piotd::protocol

// The writer's hook for copying unescaped characters in bulk (RapidJSON uses it for its own SIMD
// code). Specialised for piotd's buffer type only, so no other writer is affected.
template <>
inline bool rapidjson::Writer<piotd::protocol::JsonBuffer>::ScanWriteUnescapedString(
    rapidjson::StringStream& is, std::size_t length) {
    const char* const begin = is.src_;
    const char* const end = is.head_ + length;
    const char* const stop = piotd::protocol::find_json_escape(begin, end);
    const auto n = static_cast<std::size_t>(stop - begin);
    if (n != 0) {
        std::memcpy(os_->PushUnsafe(n), begin, n);
        is.src_ = stop;
    }
    return stop != end;
}

namespace piotd::protocol {

using JsonWriter = rapidjson::Writer<JsonBuffer>;

inline void write_string(JsonWriter& writer, std::string_view text) {
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

inline void write_key(JsonWriter& writer, std::string_view key) {
    writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}

}  // namespace piotd::protocol
