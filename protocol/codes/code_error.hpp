// Why a scanned code could not be parsed. Each value has a stable machine name (used in API
// answers as "codeError") and a message a cashier or technician can act on.
#pragma once

#include <cstdint>
#include <string_view>

namespace piotd::protocol {

enum class CodeError : std::uint8_t {
    none,
    empty,                 // nothing left after stripping prefixes and suffixes
    too_long,              // longer than kMaxCodeLength
    bad_character,         // a byte outside GS1 CSET 82 (and not GS), e.g. NUL, space, non-ASCII
    not_marking_code,      // neither 01+GTIN... nor a 29-character tobacco pack
    bad_gtin,              // AI 01 not followed by 14 digits
    missing_serial,        // GTIN not followed by AI 21
    bad_serial,            // serial empty or longer than 20 characters
    unknown_ai,            // an element string starts with an AI piotd does not know
    bad_ai_value,          // an AI's value has the wrong length or characters
    duplicate_ai,          // the same AI twice
    gs_missing_ambiguous,  // no GS and the length fits several layouts (or none)
    empty_element,         // two GS in a row, or a trailing AI with no value
    incomplete_crypto,     // AI 91 without 92, or 92 without 91
};

// Stable snake_case name, e.g. "gs_missing_ambiguous".
std::string_view code_error_name(CodeError error);
// English sentence saying what is wrong and, where it helps, what to do.
std::string_view code_error_message(CodeError error);

}  // namespace piotd::protocol
