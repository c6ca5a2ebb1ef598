// The JSON writer answers are built with (RapidJSON, UTF-8 in and out), over JsonBuffer. The LM
// check answer, the hottest, is written as text instead (json_text.hpp).
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

#include "protocol/json/json_escape.hpp"

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
