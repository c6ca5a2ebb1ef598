// The requests nearly every client sends, read in one pass without Beast's parser: a method Beast
// knows, an ASCII target, HTTP/1.0 or 1.1, fields of printable ASCII, at most one plain
// Content-Length, at most one Host, no Transfer-Encoding, Upgrade or Expect, the whole head (and
// body) already received.
// Beast's parser cost ~1,600 of the ~9,000 user-space instructions of a check request (callgrind:
// it finds the end of the head first, then walks every byte again, one table lookup each).
//
// Anything else, broken or merely unusual, is not an error here: the scanner says "not plain" and
// the session gives the same bytes to Beast's parser, which answers as before. So the scanner
// must only accept what Beast parses to the same message; fuzz_http_request checks exactly that
// on every input it generates, and tests/unit/daemon_plain_request_test.cpp on the edge cases.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/http/http_types.hpp"

namespace piotd::daemon {

// Kept fields per request on this path (the dropped ones, Host, Accept..., do not count); a
// request with more goes to Beast's parser.
inline constexpr std::size_t kMaxPlainFields = 12;

struct PlainField {
    http::field name = http::field::unknown;  // what Beast's string_to_field says of name_string
    std::string_view name_string;
    std::string_view value;  // without the whitespace around it
};

// Views into the scanned bytes: valid while they are. Each connection keeps one (it is ~600
// bytes, filled anew by every scan).
struct PlainRequest {
    http::verb method = http::verb::unknown;
    std::string_view target;
    unsigned version = 11;
    bool keep_alive = true;            // as Beast's parser's keep_alive() would say
    std::uint64_t content_length = 0;  // 0 also when the request has no Content-Length
    std::size_t head_size = 0;         // request line and fields, the blank line included
    // The Host field's value (kept here, not in `fields`: only the session's Host check reads
    // it); data() is null when the request has none.
    std::string_view host;
    std::size_t field_count = 0;
    std::array<PlainField, kMaxPlainFields> fields;  // only those stored_request_field keeps
};

// True when `bytes` starts with a whole plain request head of at most `header_limit` bytes; its
// body (content_length bytes after head_size) may still be missing. False leaves `out`
// unspecified.
bool scan_plain_request_head(std::string_view bytes, std::size_t header_limit, PlainRequest& out);

// The message Beast's RequestParser would have produced: method, target, version, the kept
// fields in order, and `body` (the content_length bytes after the head).
void build_request(const PlainRequest& head, std::string_view body, Request& request);

}  // namespace piotd::daemon
