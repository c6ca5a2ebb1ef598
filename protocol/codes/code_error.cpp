#include "protocol/codes/code_error.hpp"

namespace piotd::protocol {

std::string_view code_error_name(CodeError error) {
    switch (error) {
        case CodeError::none:
            return "none";
        case CodeError::empty:
            return "empty";
        case CodeError::too_long:
            return "too_long";
        case CodeError::bad_character:
            return "bad_character";
        case CodeError::not_marking_code:
            return "not_marking_code";
        case CodeError::bad_gtin:
            return "bad_gtin";
        case CodeError::missing_serial:
            return "missing_serial";
        case CodeError::bad_serial:
            return "bad_serial";
        case CodeError::unknown_ai:
            return "unknown_ai";
        case CodeError::bad_ai_value:
            return "bad_ai_value";
        case CodeError::duplicate_ai:
            return "duplicate_ai";
        case CodeError::gs_missing_ambiguous:
            return "gs_missing_ambiguous";
        case CodeError::empty_element:
            return "empty_element";
        case CodeError::incomplete_crypto:
            return "incomplete_crypto";
    }
    return "unknown";
}

std::string_view code_error_message(CodeError error) {
    switch (error) {
        case CodeError::none:
            return "the code was parsed";
        case CodeError::empty:
            return "the code is empty";
        case CodeError::too_long:
            return "the code is longer than any marking code; check that only one code was sent";
        case CodeError::bad_character:
            return "the code contains a character no marking code can contain (a space, a control "
                   "character or a non-ASCII letter); check the scanner's keyboard layout and "
                   "Caps Lock";
        case CodeError::not_marking_code:
            return "this is not a marking code: it neither starts with 01 and a GTIN nor is a "
                   "29-character tobacco pack code";
        case CodeError::bad_gtin:
            return "AI 01 is not followed by a 14-digit GTIN";
        case CodeError::missing_serial:
            return "the GTIN is not followed by AI 21 (serial number)";
        case CodeError::bad_serial:
            return "the serial number is empty or longer than 20 characters";
        case CodeError::unknown_ai:
            return "the code contains an application identifier that marking codes do not use";
        case CodeError::bad_ai_value:
            return "an application identifier's value has the wrong length or characters; the "
                   "code may have been scanned incompletely";
        case CodeError::duplicate_ai:
            return "the same application identifier occurs twice";
        case CodeError::gs_missing_ambiguous:
            return "the code has no GS separators and cannot be split unambiguously; configure "
                   "the scanner to transmit GS (0x1D)";
        case CodeError::empty_element:
            return "the code has two GS separators in a row or an identifier with no value";
        case CodeError::incomplete_crypto:
            return "the crypto tail is incomplete: AI 91 and AI 92 must come together";
    }
    return "unknown error";
}

}  // namespace piotd::protocol
