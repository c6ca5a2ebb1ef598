#include "protocol/json/json_text.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include "protocol/json/json_escape.hpp"

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

namespace {

// "00" "01" ... "99".
constexpr auto kDigitPairs = [] {
    std::array<char, 200> pairs{};
    for (int i = 0; i < 100; ++i) {
        pairs[2 * i] = static_cast<char>('0' + i / 10);
        pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
    }
    return pairs;
}();

// The decimal digits of `value`, written from the right two at a time so that they end at
// `end`; returns where they start. std::to_chars first counts the digits in a loop of its own and
// cost ~210 instructions for a timestamp.
char* digits_before(char* end, std::uint64_t value) {
    char* first = end;
    while (value >= 100) {
        first -= 2;
        std::memcpy(first, &kDigitPairs[2 * (value % 100)], 2);
        value /= 100;
    }
    if (value >= 10) {
        first -= 2;
        std::memcpy(first, &kDigitPairs[2 * value], 2);
    } else {
        *--first = static_cast<char>('0' + value);
    }
    return first;
}

// A number's text, built at the middle of a buffer and moved out in one fixed-size move: the
// cursor has room for kMaxNumberSize bytes, which the unused tail of the move overwrites
// harmlessly (the next value is written over it).
char* write_number(char* out, std::uint64_t magnitude, bool negative) {
    constexpr std::size_t kRoom = JsonTextCursor::kMaxNumberSize;
    char buffer[2 * kRoom];
    char* const end = buffer + kRoom;
    char* first = digits_before(end, magnitude);
    if (negative) *--first = '-';  // at most 19 digits then: still kRoom bytes in all
    std::memcpy(out, first, kRoom);
    return out + (end - first);
}

}  // namespace

void JsonTextCursor::number(std::int64_t value) {
    // The magnitude in unsigned arithmetic, INT64_MIN's too.
    const auto bits = static_cast<std::uint64_t>(value);
    at_ = write_number(at_, value < 0 ? 0 - bits : bits, value < 0);
}

void JsonTextCursor::number(std::uint64_t value) {
    at_ = write_number(at_, value, false);
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
