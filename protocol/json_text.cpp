#include "protocol/json_text.hpp"

#include <charconv>

#include "protocol/json_writer.hpp"

namespace piotd::protocol {

namespace {

template <typename Integer>
void append_integer(std::string& out, Integer value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.append(digits, end);
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    out += '"';
    const char* p = text.data();
    const char* const end = p + text.size();
    for (;;) {
        const char* const stop = find_json_escape(p, end);
        out.append(p, static_cast<std::size_t>(stop - p));
        if (stop == end) break;
        const auto c = static_cast<unsigned char>(*stop);
        char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        std::size_t length = 6;
        switch (c) {
            case '"':
                escaped[1] = '"', length = 2;
                break;
            case '\\':
                escaped[1] = '\\', length = 2;
                break;
            case '\b':
                escaped[1] = 'b', length = 2;
                break;
            case '\t':
                escaped[1] = 't', length = 2;
                break;
            case '\n':
                escaped[1] = 'n', length = 2;
                break;
            case '\f':
                escaped[1] = 'f', length = 2;
                break;
            case '\r':
                escaped[1] = 'r', length = 2;
                break;
            default:
                break;
        }
        out.append(escaped, length);
        p = stop + 1;
    }
    out += '"';
}

void append_json_number(std::string& out, std::int64_t value) {
    append_integer(out, value);
}

void append_json_number(std::string& out, std::uint64_t value) {
    append_integer(out, value);
}

void append_json_bool(std::string& out, bool value) {
    out += value ? "true" : "false";
}

}  // namespace piotd::protocol
