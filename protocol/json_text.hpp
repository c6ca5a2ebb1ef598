// JSON values appended straight to a std::string, for the one answer on the hot path whose shape
// is fixed: the LM check answer (protocol/lm_check_answer.cpp writes its keys as literals). Strings
// are escaped exactly as JsonWriter escapes them, so both kinds of answer read the same; a unit
// test compares the two on every byte value. Everything else is written with JsonWriter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace piotd::protocol {

// `text` quoted, with '"', '\\' and control characters escaped (RapidJSON's default: \b \t \n \f
// \r by name, the others as \u00XX); other bytes, UTF-8 or not, are copied as they are.
void append_json_string(std::string& out, std::string_view text);
void append_json_number(std::string& out, std::int64_t value);
void append_json_number(std::string& out, std::uint64_t value);
void append_json_bool(std::string& out, bool value);

}  // namespace piotd::protocol
