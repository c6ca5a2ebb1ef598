// First stage of parsing a scanned code: turn what scanners and POS software really send into
// the bare GS1 string (CSET 82 characters and GS bytes), recording every repair. No structure is
// looked at here; see docs/marking-codes.md for the order of the steps and why.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "protocol/codes/code_error.hpp"
#include "protocol/codes/marking_code.hpp"

namespace piotd::protocol {

// GS1 "AI encodable character set 82": ! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z.
bool is_cset82(char c);

// How many leading bytes of [p, p + size) are plain CSET 82 (not the escape starters % and <),
// checked sixteen at a time: the start of the first block of sixteen that holds any other byte,
// or of the last partial block. Zero where the CPU has no SSE2. normalise_code's fast path.
std::size_t plain_blocks_length(const char* p, std::size_t size);

struct NormaliseOptions {
    InputChannel channel = InputChannel::text;
    // "%1D" and "<GS>" consist of CSET 82 characters, so they can also be four characters of a
    // serial. The parser first decodes them and, if that does not parse, tries again without.
    bool decode_ambiguous_escapes = true;
};

struct NormaliseResult {
    CodeError error = CodeError::none;  // empty, too_long, bad_character or empty_element
    std::size_t length = 0;             // bytes written to the output
    Repairs repairs{};
    bool ambiguous_escape_decoded = false;  // a "%1D" or "<GS>" was turned into GS
};

// Writes the normalised code to `out`. The output never grows beyond the input, so a buffer of
// kMaxCodeLength always suffices (longer input is too_long).
NormaliseResult normalise_code(std::string_view raw, const NormaliseOptions& options,
                               std::span<char, kMaxCodeLength> out);

}  // namespace piotd::protocol
