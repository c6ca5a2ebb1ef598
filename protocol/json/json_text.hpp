// JSON values written straight into memory, for the one answer on the hot path whose shape is
// fixed: the LM check answer (protocol/lm/lm_check_answer.cpp writes its keys as literals). Strings
// are escaped exactly as JsonWriter escapes them, so both kinds of answer read the same; a unit
// test compares the two on every byte value. Everything else is written with JsonWriter.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace piotd::protocol {

// Writes into memory sized beforehand for the largest result (see the max_* sizes): no capacity
// check per value. Growing a std::string value by value cost more than the values themselves
// (three appends per string, each with its check, measured under callgrind).
class JsonTextCursor {
public:
    explicit JsonTextCursor(char* at) : at_(at) {}

    // The most bytes each call below can write.
    static constexpr std::size_t max_string_size(std::size_t text_size) {
        return 2 + 6 * text_size;  // the quotes, and \u00XX for every byte at worst
    }
    static constexpr std::size_t kMaxNumberSize = 20;  // INT64_MIN, UINT64_MAX

    // Inline, so that a literal's constant size makes its copy a few moves.
    void literal(std::string_view text) {
        std::memcpy(at_, text.data(), text.size());
        at_ += text.size();
    }
    // `text` quoted, with '"', '\\' and control characters escaped (RapidJSON's default: \b \t
    // \n \f \r by name, the others as \u00XX); other bytes, UTF-8 or not, are copied as they are.
    void string(std::string_view text);
    void number(std::int64_t value);
    void number(std::uint64_t value);
    void boolean(bool value);

    char* position() const { return at_; }

private:
    char* at_;
};

// Room for `size` bytes of cursor output: this thread's scratch buffer, grown when needed and
// kept (a check answer's pieces need about 1 KiB).
char* json_scratch(std::size_t size);

// Lets `write` fill up to `max_size` bytes through a cursor and appends what it wrote to `out`.
// The cursor writes into scratch memory sized for the worst case (every byte escaped), so `out`
// only ever grows by what was written: sizing `out` itself for the worst case pushed a check
// answer's body past the allocator's per-thread cache. `write` must not write more than
// `max_size`.
template <typename Write>
void append_json_text(std::string& out, std::size_t max_size, Write write) {
    char* const begin = json_scratch(max_size);
    JsonTextCursor cursor(begin);
    write(cursor);
    assert(cursor.position() <= begin + max_size);
    out.append(begin, static_cast<std::size_t>(cursor.position() - begin));
}

// One value appended to a std::string, for writers that are not on the hot path.
void append_json_string(std::string& out, std::string_view text);
void append_json_number(std::string& out, std::int64_t value);
void append_json_number(std::string& out, std::uint64_t value);
void append_json_bool(std::string& out, bool value);

}  // namespace piotd::protocol
