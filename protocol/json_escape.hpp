// Finding the bytes a JSON string must escape, sixteen at a time where the CPU allows.
#pragma once

namespace piotd::protocol {

// Where the first character RapidJSON's default writer escapes is (control characters, '"' and
// '\\'; everything else, UTF-8 included, is copied as it is), or `end`. Reads only [p, end).
const char* find_json_escape(const char* p, const char* end);

}  // namespace piotd::protocol
