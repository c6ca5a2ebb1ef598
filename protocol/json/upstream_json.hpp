// Reading JSON that comes from an upstream (the True API, the store's local module, a store piotd,
// a relay target): as hostile as a POS's. Parsed iteratively (the parser keeps its stack on the
// heap: no input overflows the thread's) and refused before any DOM is built when nested deeper
// than kMaxUpstreamJsonDepth (no answer piotd reads nests beyond a handful of levels).
#pragma once

#include <rapidjson/document.h>

#include <string_view>

namespace piotd::protocol {

inline constexpr unsigned kMaxUpstreamJsonDepth = 32;

// The deepest nesting of '[' and '{' outside strings, counting stopped as soon as it passes
// `limit`. A plain scan of the bytes. (In text that is not JSON the count may be off; such text
// is refused by the parser anyway.)
unsigned json_nesting_depth(std::string_view text, unsigned limit = kMaxUpstreamJsonDepth);

// RapidJSON reads [data, data + size); an empty view may have no data pointer.
inline const char* json_data(std::string_view text) {
    return text.empty() ? "" : text.data();
}

// `text` into `document`, iteratively, once its depth is known to be within the limit. False
// when too deep or not JSON (the document then holds the parse error, or none when too deep).
bool parse_upstream_json(std::string_view text, rapidjson::Document& document);

}  // namespace piotd::protocol
