// Reading parameters from a URL query (RFC 3986 percent-encoding). '+' stays '+': it is a legal
// character in marking-code serials and clients that do not escape it mean the character, and a
// space never appears in a code anyway.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace piotd::daemon {

struct QueryValue {
    bool present = false;  // the parameter appears in the query
    bool valid = true;     // its percent-encoding is well-formed
    std::string value;     // decoded
};

QueryValue query_param(std::string_view query, std::string_view name);

// The same without a copy: `value` points into `query` when the parameter has no escape (as a
// marking code nearly always has), else into `scratch`, which then holds the decoded text.
struct QueryView {
    bool present = false;
    bool valid = true;
    std::string_view value;
};

QueryView query_param_view(std::string_view query, std::string_view name, std::string& scratch);

// Percent-decodes `text`; nothing when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace piotd::daemon
