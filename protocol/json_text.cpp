#include "protocol/json_text.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

#include "protocol/json_escape.hpp"

namespace piotd::protocol {

char* json_scratch(std::size_t size) {
    thread_local std::unique_ptr<char[]> buffer;
    thread_local std::size_t capacity = 0;
    if (size > capacity) {
        capacity = std::max<std::size_t>(size, 4096);
        buffer = std::make_unique_for_overwrite<char[]>(capacity);
    }
    return buffer.get();
}

void JsonTextCursor::string(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    *at_++ = '"';
    // Nearly every string (a code, a UUID, a GTIN) has nothing to escape: copied in one pass.
    if (copy_without_json_escape(text.data(), text.size(), at_)) {
        at_ += text.size();
        *at_++ = '"';
        return;
    }
    const char* p = text.data();
    const char* const end = p + text.size();
    for (;;) {
        const char* const stop = find_json_escape(p, end);
        // (An empty view may have no data pointer, which memcpy must not be given.)
        if (stop != p) std::memcpy(at_, p, static_cast<std::size_t>(stop - p));
        at_ += stop - p;
        if (stop == end) break;
        const auto c = static_cast<unsigned char>(*stop);
        char named = 0;
        switch (c) {
            case '"':
                named = '"';
                break;
            case '\\':
                named = '\\';
                break;
            case '\b':
                named = 'b';
                break;
            case '\t':
                named = 't';
                break;
            case '\n':
                named = 'n';
                break;
            case '\f':
                named = 'f';
                break;
            case '\r':
                named = 'r';
                break;
            default:
                break;
        }
        *at_++ = '\\';
        if (named != 0) {
            *at_++ = named;
        } else {
            const char escaped[5] = {'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
            std::memcpy(at_, escaped, sizeof escaped);
            at_ += sizeof escaped;
        }
        p = stop + 1;
    }
    *at_++ = '"';
}

void JsonTextCursor::number(std::int64_t value) {
    at_ = std::to_chars(at_, at_ + kMaxNumberSize, value).ptr;
}

void JsonTextCursor::number(std::uint64_t value) {
    at_ = std::to_chars(at_, at_ + kMaxNumberSize, value).ptr;
}

void JsonTextCursor::boolean(bool value) {
    literal(value ? std::string_view("true") : std::string_view("false"));
}

void append_json_string(std::string& out, std::string_view text) {
    append_json_text(out, JsonTextCursor::max_string_size(text.size()),
                     [&](JsonTextCursor& cursor) { cursor.string(text); });
}

void append_json_number(std::string& out, std::int64_t value) {
    append_json_text(out, JsonTextCursor::kMaxNumberSize,
                     [&](JsonTextCursor& cursor) { cursor.number(value); });
}

void append_json_number(std::string& out, std::uint64_t value) {
    append_json_text(out, JsonTextCursor::kMaxNumberSize,
                     [&](JsonTextCursor& cursor) { cursor.number(value); });
}

void append_json_bool(std::string& out, bool value) {
    out += value ? "true" : "false";
}

}  // namespace piotd::protocol
