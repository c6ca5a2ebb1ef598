// A parsed Chestny Znak marking code (КМ): the normalised bytes and where each part sits in them.
//
// Parsing never allocates: the normalised code lives in an inline buffer and every field is an
// (offset, length) pair into it, so a MarkingCode can be copied, stored in a request object or
// thrown away without touching the heap. See docs/marking-codes.md for the rules.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/codes/code_error.hpp"

namespace piotd::protocol {

// Longest input accepted, in bytes, before and after normalisation. Real Chestny Znak codes stop
// at ~140 characters (shoes with 240 + 91 + 92(88)); anything far above that is hostile.
inline constexpr std::size_t kMaxCodeLength = 384;

inline constexpr char kGs = '\x1d';

// The application identifiers piotd knows by name. Anything else GS1 allows is parsed by the
// generic GS1 rules and kept inside full(), but has no named field.
enum class Ai : std::uint8_t {
    gtin,          // 01  N14, check digit validated
    serial,        // 21  X..20
    crypto_key,    // 91  X..90 (4 in practice: key id)
    crypto_code,   // 92  X..90 (44 or 88 base64 characters)
    short_crypto,  // 93  X..90 (4 in practice)
    block_price,   // 8005 N6 (tobacco block price, kopecks)
    weight,        // 3103 N6 (dairy net weight, grams; kg with 3 decimals)
    volume,        // 335n N6 (beer volume)
    expiry,        // 17  N6 YYMMDD
    production,    // 11  N6 YYMMDD
    batch,         // 10  X..20
    tnved,         // 240 X..30 (shoes: ТН ВЭД prefix)
    count
};

// What kind of code the input turned out to be.
enum class CodeKind : std::uint8_t {
    gs1,           // 01 GTIN 21 serial [GS tail...]
    tobacco_pack,  // 29 characters, no AIs: GTIN14 + serial7 + MRP4 (base 80) + check4
};

// What the normaliser had to repair. Reported to the caller (and in API answers) so a
// technician can fix the scanner instead of relying on the repair forever.
struct Repairs {
    bool aim_prefix_stripped = false;  // leading ]d2 / ]C1 / ]Q3 / ]e0 / ]d1
    bool fnc1_converted = false;       // 0xE8 (FNC1) bytes turned into GS / dropped
    bool leading_gs_dropped = false;
    bool gs_escape_decoded = false;  // \u001d, \x1d, <GS>, %1D ... in text input
    bool layout_repaired = false;    // Cyrillic keyboard layout mapped back to US positions
    bool gs_recovered = false;       // GS separators re-inserted from fixed AI lengths
    bool suffix_stripped = false;    // trailing CR/LF removed

    bool any() const {
        return aim_prefix_stripped || fnc1_converted || leading_gs_dropped || gs_escape_decoded ||
               layout_repaired || gs_recovered || suffix_stripped;
    }
};

// Where the input came from decides which repairs are safe: literal escapes such as "<GS>"
// are decoded only in text typed by software (HTTP bodies), never in raw serial bytes.
enum class InputChannel : std::uint8_t { text, serial };

struct FieldSpan {
    std::uint16_t offset = 0;
    std::uint16_t length = 0;
    bool present() const { return length != 0; }
};

class MarkingCode {
public:
    CodeKind kind() const { return kind_; }

    // The normalised code with GS (0x1D) separators: what the online codes/check wants.
    std::string_view full() const { return {buffer_.data(), length_}; }
    // The identification code (КИ): 01+GTIN+21+serial, or the first 21 characters of a pack.
    // This is what the local module is queried with and what black lists are keyed by.
    std::string_view ki() const { return slice(ki_); }
    // printView as the LM and True API answer it: the code without its crypto part (= КИ).
    std::string_view print_view() const { return ki(); }
    std::string_view gtin() const { return field(Ai::gtin); }
    std::string_view serial() const { return field(Ai::serial); }
    std::string_view field(Ai ai) const { return slice(fields_[static_cast<std::size_t>(ai)]); }
    bool has(Ai ai) const { return fields_[static_cast<std::size_t>(ai)].present(); }

    // The GTIN's check digit is reported, not enforced: the CRPT sandbox blocks codes whose
    // check digit fails, so such codes must still be looked up (lm-api.md Appendix A).
    bool gtin_check_digit_ok() const { return gtin_check_ok_; }
    // True when the code carries a crypto tail (91/92, 93, or the pack's last 4 characters).
    bool has_crypto_tail() const { return has_tail_; }

    // Tobacco pack: the maximum retail price (kopecks) encoded in base 80 at positions 21..24.
    std::optional<std::uint32_t> pack_mrp() const { return pack_mrp_; }
    // Tobacco block: AI 8005 as a number (kopecks, six digits).
    std::optional<std::uint32_t> block_price() const;
    // AI 335n: n, the number of decimal places of field(Ai::volume) (litres).
    std::optional<unsigned> volume_decimals() const;
    // True when the 92 value has letters but none in lower case: the mark of Caps Lock on a
    // keyboard-wedge scanner. Not repairable (case matters in base64); the online check will
    // reject such a code, so callers may warn the cashier.
    bool crypto_code_upper_case() const { return crypto_upper_case_; }

    const Repairs& repairs() const { return repairs_; }

private:
    friend class CodeParser;
    std::string_view slice(FieldSpan s) const { return {buffer_.data() + s.offset, s.length}; }

    std::array<char, kMaxCodeLength> buffer_{};
    std::uint16_t length_ = 0;
    CodeKind kind_ = CodeKind::gs1;
    FieldSpan ki_{};
    std::array<FieldSpan, static_cast<std::size_t>(Ai::count)> fields_{};
    bool gtin_check_ok_ = false;
    bool has_tail_ = false;
    bool crypto_upper_case_ = false;
    std::optional<std::uint32_t> pack_mrp_{};
    Repairs repairs_{};
};

struct ParseResult {
    CodeError error = CodeError::none;
    MarkingCode code{};
    explicit operator bool() const { return error == CodeError::none; }
};

// Normalises raw scanner/POS input (see Repairs) and parses it. Pure; never allocates.
ParseResult parse_marking_code(std::string_view raw, InputChannel channel = InputChannel::text);

}  // namespace piotd::protocol
