// Finding the bytes a JSON string must escape, sixteen at a time where the CPU allows.
#pragma once

#include <cstddef>

namespace piotd::protocol {

// Where the first character RapidJSON's default writer escapes is (control characters, '"' and
// '\\'; everything else, UTF-8 included, is copied as it is), or `end`. Reads only [p, end).
const char* find_json_escape(const char* p, const char* end);

// Copies [p, p + size) to `out` and returns true if none of it needs an escape; otherwise
// returns false, having written some of it (the caller writes the string again its own way).
// Writes only [out, out + size): the check and the copy in one pass over the bytes.
bool copy_without_json_escape(const char* p, std::size_t size, char* out);

}  // namespace piotd::protocol
