#include "protocol/codes/marking_code.hpp"

#include <bitset>
#include <cstring>

#include "protocol/codes/code_normaliser.hpp"
#include "protocol/codes/gtin.hpp"
#include "protocol/codes/tobacco_price.hpp"

namespace piotd::protocol {

namespace {

constexpr std::size_t kGtinOffset = 2;
constexpr std::size_t kGtinLength = 14;
constexpr std::size_t kSerialOffset = 18;  // 01 + GTIN + 21
constexpr std::size_t kMaxSerial = 20;
constexpr std::size_t kPackLength = 29;
constexpr std::size_t kPackKiLength = 21;
constexpr std::size_t kPackMrpOffset = 21;

enum class Format : std::uint8_t {
    cset82,  // any CSET 82 character (the normaliser already guaranteed that)
    numeric,
    date,    // YYMMDD; DD may be 00 (GS1: "last day of the month")
    base64,  // AI 92: 44 or 88 characters of the base64 alphabet, '=' only as padding
};

constexpr std::int8_t kUnnamed = -1;

struct AiSpec {
    std::uint8_t ai_length = 0;
    std::uint8_t min_length = 0;
    std::uint8_t max_length = 0;
    Format format = Format::cset82;
    bool predefined = false;  // fixed length by the GS1 prefix table: no GS needed after it
    std::int8_t named = kUnnamed;
    std::uint16_t id = 0;  // unique per AI, for duplicate detection
};

constexpr std::int8_t named(Ai ai) {
    return static_cast<std::int8_t>(ai);
}

struct AiEntry {
    std::string_view ai;
    std::uint8_t min_length;
    std::uint8_t max_length;
    Format format;
    std::int8_t named;
};

// The GS1 AIs a Chestny Znak code can plausibly carry (gs1-syntax-dictionary, codes-peers.md
// §A.2), sorted. Of the company-internal AIs 90..99 only 91..93 are used, so the others are
// left out: "99" where "93" belongs is a corrupted tail, not a code to pass on. 91 and 93 are
// X..90 in GS1 but always 4 characters in Chestny Znak codes; holding them to 4 catches
// truncated scans and glued elements. The predefined-length AIs 31nn..36nn are computed in
// find_ai() instead of listed.
constexpr AiEntry kAiTable[] = {
    {"00", 18, 18, Format::numeric, kUnnamed},
    {"01", 14, 14, Format::numeric, named(Ai::gtin)},
    {"02", 14, 14, Format::numeric, kUnnamed},
    {"10", 1, 20, Format::cset82, named(Ai::batch)},
    {"11", 6, 6, Format::date, named(Ai::production)},
    {"12", 6, 6, Format::date, kUnnamed},
    {"13", 6, 6, Format::date, kUnnamed},
    {"15", 6, 6, Format::date, kUnnamed},
    {"16", 6, 6, Format::date, kUnnamed},
    {"17", 6, 6, Format::date, named(Ai::expiry)},
    {"20", 2, 2, Format::numeric, kUnnamed},
    {"21", 1, 20, Format::cset82, named(Ai::serial)},
    {"22", 1, 20, Format::cset82, kUnnamed},
    {"235", 1, 28, Format::cset82, kUnnamed},
    {"240", 1, 30, Format::cset82, named(Ai::tnved)},
    {"241", 1, 30, Format::cset82, kUnnamed},
    {"242", 1, 6, Format::numeric, kUnnamed},
    {"243", 1, 20, Format::cset82, kUnnamed},
    {"250", 1, 30, Format::cset82, kUnnamed},
    {"251", 1, 30, Format::cset82, kUnnamed},
    {"254", 1, 20, Format::cset82, kUnnamed},
    {"30", 1, 8, Format::numeric, kUnnamed},
    {"37", 1, 8, Format::numeric, kUnnamed},
    {"400", 1, 30, Format::cset82, kUnnamed},
    {"401", 1, 30, Format::cset82, kUnnamed},
    {"402", 17, 17, Format::numeric, kUnnamed},
    {"403", 1, 30, Format::cset82, kUnnamed},
    {"410", 13, 13, Format::numeric, kUnnamed},
    {"411", 13, 13, Format::numeric, kUnnamed},
    {"412", 13, 13, Format::numeric, kUnnamed},
    {"413", 13, 13, Format::numeric, kUnnamed},
    {"414", 13, 13, Format::numeric, kUnnamed},
    {"415", 13, 13, Format::numeric, kUnnamed},
    {"416", 13, 13, Format::numeric, kUnnamed},
    {"417", 13, 13, Format::numeric, kUnnamed},
    {"420", 1, 20, Format::cset82, kUnnamed},
    {"422", 3, 3, Format::numeric, kUnnamed},
    {"7003", 10, 10, Format::numeric, kUnnamed},
    {"7004", 1, 4, Format::numeric, kUnnamed},
    {"8005", 6, 6, Format::numeric, named(Ai::block_price)},
    {"8008", 8, 12, Format::numeric, kUnnamed},
    {"91", 4, 4, Format::cset82, named(Ai::crypto_key)},
    {"92", 44, 88, Format::base64, named(Ai::crypto_code)},
    {"93", 4, 4, Format::cset82, named(Ai::short_crypto)},
};
constexpr std::size_t kAiTableSize = std::size(kAiTable);

// The ids of the 31nn..36nn family follow the table's.
constexpr std::size_t kMeasureIdBase = kAiTableSize;
constexpr std::size_t kAiIdCount = kMeasureIdBase + 6 * 10 * 6;

constexpr bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

constexpr int two_digits(std::string_view s) {
    return (s[0] - '0') * 10 + (s[1] - '0');
}

// GS1 General Specifications: AIs starting with these two digits have a predefined length.
constexpr bool predefined_prefix(int prefix) {
    return prefix <= 4 || (prefix >= 11 && prefix <= 20) || (prefix >= 31 && prefix <= 36) ||
           prefix == 41;
}

// For each two-digit prefix, the range of kAiTable entries starting with it.
struct PrefixRange {
    std::uint8_t first = 0;
    std::uint8_t count = 0;
};

constexpr std::array<PrefixRange, 100> make_prefix_index() {
    std::array<PrefixRange, 100> index{};
    for (std::size_t i = 0; i < kAiTableSize; ++i) {
        auto& range = index[static_cast<std::size_t>(two_digits(kAiTable[i].ai))];
        if (range.count == 0) range.first = static_cast<std::uint8_t>(i);
        ++range.count;
    }
    return index;
}

constexpr auto kPrefixIndex = make_prefix_index();

// 310n..316n, 320n..329n, 330n..337n, 340n..349n, 350n..357n, 360n..369n with n = 0..5: the
// measures (weight, volume, ...), all N6 with n decimal places.
constexpr char kMeasureMaxThird[] = {'6', '9', '7', '9', '7', '9'};

// Finds the AI at the start of `s`. GS1 AIs are prefix-free, so at most one entry matches.
std::optional<AiSpec> find_ai(std::string_view s) {
    if (s.size() < 2 || !is_digit(s[0]) || !is_digit(s[1])) return std::nullopt;
    const int prefix = two_digits(s);
    if (prefix >= 31 && prefix <= 36) {
        if (s.size() < 4 || !is_digit(s[2]) || !is_digit(s[3])) return std::nullopt;
        if (s[2] > kMeasureMaxThird[prefix - 31] || s[3] > '5') return std::nullopt;
        AiSpec spec;
        spec.ai_length = 4;
        spec.min_length = spec.max_length = 6;
        spec.format = Format::numeric;
        spec.predefined = true;
        spec.id = static_cast<std::uint16_t>(kMeasureIdBase + (prefix - 31) * 60 +
                                             (s[2] - '0') * 6 + (s[3] - '0'));
        if (s.substr(0, 4) == "3103") spec.named = named(Ai::weight);
        if (s.substr(0, 3) == "335") spec.named = named(Ai::volume);
        return spec;
    }
    const PrefixRange range = kPrefixIndex[static_cast<std::size_t>(prefix)];
    for (std::size_t i = range.first; i < range.first + range.count; ++i) {
        const AiEntry& entry = kAiTable[i];
        if (!s.starts_with(entry.ai)) continue;
        AiSpec spec;
        spec.ai_length = static_cast<std::uint8_t>(entry.ai.size());
        spec.min_length = entry.min_length;
        spec.max_length = entry.max_length;
        spec.format = entry.format;
        spec.predefined = predefined_prefix(prefix);
        spec.named = entry.named;
        spec.id = static_cast<std::uint16_t>(i);
        return spec;
    }
    return std::nullopt;
}

bool all_digits(std::string_view s) {
    for (const char c : s) {
        if (!is_digit(c)) return false;
    }
    return true;
}

bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '+' || c == '/';
}

// A crypto code as SUZ issues it: 44 or 88 base64 characters, '=' only as trailing padding.
bool valid_crypto_code(std::string_view s) {
    if (s.size() != 44 && s.size() != 88) return false;
    std::size_t data = s.size();
    while (data > 0 && s.size() - data < 2 && s[data - 1] == '=') --data;
    for (std::size_t i = 0; i < data; ++i) {
        if (!is_base64_char(s[i])) return false;
    }
    return true;
}

bool valid_date(std::string_view s) {
    if (s.size() != 6 || !all_digits(s)) return false;
    const int month = two_digits(s.substr(2));
    const int day = two_digits(s.substr(4));
    return month >= 1 && month <= 12 && day <= 31;
}

bool valid_value(const AiSpec& spec, std::string_view value) {
    if (value.size() < spec.min_length || value.size() > spec.max_length) return false;
    switch (spec.format) {
        case Format::cset82:
            return true;
        case Format::numeric:
            return all_digits(value);
        case Format::date:
            return valid_date(value);
        case Format::base64:
            return valid_crypto_code(value);
    }
    return false;
}

// The layouts of §A.3 that a GS-less code can be split into by length alone (codes-peers.md
// §A.4, §A.7.3). Beer 7 + 93 (31 characters) is deliberately absent: a 31-character GS-less
// string is read as a КИ with a 13-character serial (docs/marking-codes.md).
struct TemplateElement {
    std::string_view ai;  // 'n' stands for a digit 0..5 (335n)
    std::uint8_t value_length = 0;
    Format format = Format::cset82;
};

struct GsLessTemplate {
    std::uint8_t serial_length = 0;
    std::uint8_t total_length = 0;
    std::uint8_t element_count = 0;
    std::array<TemplateElement, 3> elements{};
};

constexpr TemplateElement k93{"93", 4, Format::cset82};
constexpr TemplateElement k91{"91", 4, Format::cset82};
constexpr TemplateElement k92short{"92", 44, Format::base64};
constexpr TemplateElement k92long{"92", 88, Format::base64};
constexpr TemplateElement k240{"240", 4, Format::numeric};
constexpr TemplateElement k3103{"3103", 6, Format::numeric};
constexpr TemplateElement k335n{"335n", 6, Format::numeric};
constexpr TemplateElement k8005{"8005", 6, Format::numeric};

// Tried in order; the first match wins. Lengths collide only at 90 (13 + 240 + L44 vs.
// 20 + L44), where the 240 template goes first: it needs "240" and four digits at a fixed place,
// which a random 20-character serial has with probability ~1e-9.
constexpr GsLessTemplate kGsLessTemplates[] = {
    {6, 30, 1, {k93}},                   // dairy
    {6, 40, 2, {k93, k3103}},            // dairy with weight
    {6, 76, 2, {k91, k92short}},         // newer groups, 6 + L44 (🟡)
    {7, 41, 2, {k93, k335n}},            // beer with volume
    {7, 41, 2, {k8005, k93}},            // tobacco block
    {13, 37, 1, {k93}},                  // water, soft drinks, БАД ...
    {13, 83, 2, {k91, k92short}},        // light industry, perfume, tires ...
    {13, 90, 3, {k240, k91, k92short}},  // shoes with 240, short tail
    {13, 127, 2, {k91, k92long}},        // shoes
    {13, 134, 3, {k240, k91, k92long}},  // shoes with 240
    {20, 44, 1, {k93}},                  // electronics (🟡)
    {20, 90, 2, {k91, k92short}},        // electronics (🟡)
};

constexpr bool templates_add_up() {
    for (const GsLessTemplate& t : kGsLessTemplates) {
        std::size_t total = kSerialOffset + t.serial_length;
        for (std::size_t e = 0; e < t.element_count; ++e) {
            total += t.elements[e].ai.size() + t.elements[e].value_length;
        }
        if (total != t.total_length) return false;
    }
    return true;
}
static_assert(templates_add_up());

bool matches(const GsLessTemplate& t, std::string_view s) {
    if (s.size() != t.total_length) return false;
    std::size_t pos = kSerialOffset + t.serial_length;
    for (std::size_t e = 0; e < t.element_count; ++e) {
        const TemplateElement& element = t.elements[e];
        for (const char a : element.ai) {
            const char c = s[pos++];
            if (a == 'n' ? (c < '0' || c > '5') : c != a) return false;
        }
        const std::string_view value = s.substr(pos, element.value_length);
        pos += element.value_length;
        switch (element.format) {
            case Format::numeric:
                if (!all_digits(value)) return false;
                break;
            case Format::base64:
                if (!valid_crypto_code(value)) return false;
                break;
            case Format::cset82:
            case Format::date:
                break;
        }
    }
    return pos == s.size();
}

// A whole pack code (29 characters), or its КИ alone (21): POS software queries the local
// module with the pack's first 21 characters (lm-api.md §2.2), and black lists hold that form.
bool is_pack(std::string_view s) {
    if (s.size() != kPackLength && s.size() != kPackKiLength) return false;
    if (!all_digits(s.substr(0, kGtinLength))) return false;
    // A GS1 КИ with an 11-character serial is 29 characters too.
    if (s.starts_with("01") && all_digits(s.substr(kGtinOffset, kGtinLength))) {
        if (s.substr(16, 2) == "21") return false;
        // 01 and 14 more digits is what a mangled GS1 code looks like (lm-api.md Appendix A:
        // "0102467100706916satNelt6iB892"); a pack's first 14 digits are a real GTIN, so the
        // check digit decides (codes-peers.md §A.5). A pack whose GTIN starts with 01 and whose
        // serial starts with two digits still passes.
        return gtin_check_digit_valid(s.substr(0, kGtinLength));
    }
    return true;
}

}  // namespace

class CodeParser {
public:
    explicit CodeParser(MarkingCode& code) : code_(code) {}

    CodeError parse(std::string_view raw, const NormaliseOptions& options,
                    bool& ambiguous_escape_decoded) {
        const NormaliseResult normalised = normalise_code(raw, options, code_.buffer_);
        code_.repairs_ = normalised.repairs;
        ambiguous_escape_decoded = normalised.ambiguous_escape_decoded;
        if (normalised.error != CodeError::none) return normalised.error;
        return parse_normalised(normalised.length);
    }

    // After a failure only the repairs mean something: they help explain it.
    static void clear_all_but_repairs(MarkingCode& code) {
        const Repairs repairs = code.repairs_;
        code = MarkingCode{};
        code.repairs_ = repairs;
    }

    static void set_repairs(MarkingCode& code, const Repairs& repairs) { code.repairs_ = repairs; }

private:
    std::string_view text(std::size_t length) const { return {code_.buffer_.data(), length}; }

    void set_field(std::int8_t ai, std::size_t offset, std::size_t length) {
        code_.fields_[static_cast<std::size_t>(ai)] = span(offset, length);
    }

    static FieldSpan span(std::size_t offset, std::size_t length) {
        return {static_cast<std::uint16_t>(offset), static_cast<std::uint16_t>(length)};
    }

    CodeError parse_normalised(std::size_t n) {
        std::string_view s = text(n);
        const bool has_gs = s.find(kGs) != std::string_view::npos;
        if (!has_gs && is_pack(s)) return parse_pack(s);

        if (!s.starts_with("01")) return CodeError::not_marking_code;
        if (s.size() < kGtinOffset + kGtinLength ||
            !all_digits(s.substr(kGtinOffset, kGtinLength))) {
            return CodeError::bad_gtin;
        }
        if (s.size() > 16 && s[16] == kGs) {
            // GS1 tolerates a separator after any element, also after the predefined-length 01.
            // No Chestny Znak template has one there; drop it so that the КИ stays contiguous.
            std::memmove(code_.buffer_.data() + 16, code_.buffer_.data() + 17, n - 17);
            s = text(--n);
        }
        // GS1 tolerates one separator after the last element, and full() leaves it out; drop it
        // here too, before deciding whether the code is separated: a КИ whose only GS was that
        // one must parse as full() re-parses, GS-less templates included (found by fuzzing).
        if (s.back() == kGs) s = text(--n);
        // Decided after those drops: if one was the only GS, the code is parsed (and re-parses
        // from full()) as one without separators (found by tests/fuzz/fuzz_marking_code).
        const bool separated = s.find(kGs) != std::string_view::npos;
        if (s.size() < kSerialOffset || s.substr(16, 2) != "21") {
            // "21" one place early or late means a 13- or 15-digit GTIN (a typo or a cut
            // EAN-13), which says more than "no serial".
            const bool early = s.substr(15, 2) == "21";
            const bool late = s.size() >= 19 && is_digit(s[16]) && s.substr(17, 2) == "21";
            return early || late ? CodeError::bad_gtin : CodeError::missing_serial;
        }
        set_field(named(Ai::gtin), kGtinOffset, kGtinLength);
        code_.gtin_check_ok_ = gtin_check_digit_valid(s.substr(kGtinOffset, kGtinLength));
        return separated ? parse_separated(n) : parse_unseparated(n);
    }

    CodeError parse_pack(std::string_view s) {
        code_.kind_ = CodeKind::tobacco_pack;
        code_.length_ = static_cast<std::uint16_t>(s.size());
        code_.ki_ = span(0, kPackKiLength);
        set_field(named(Ai::gtin), 0, kGtinLength);
        set_field(named(Ai::serial), kGtinLength, kPackKiLength - kGtinLength);
        code_.gtin_check_ok_ = gtin_check_digit_valid(s.substr(0, kGtinLength));
        if (s.size() == kPackKiLength) return CodeError::none;  // the КИ alone: no price, no tail
        // An MRP outside the alphabet ('(' or ')') leaves pack_mrp() empty rather than failing:
        // the КИ, which is what gets checked, is still sound.
        code_.pack_mrp_ = decode_base80_price(s.substr(kPackMrpOffset, 4));
        code_.has_tail_ = true;
        return CodeError::none;
    }

    // 01 + GTIN + 21 are in place and the code has GS: the serial runs to the first GS.
    CodeError parse_separated(std::size_t n) {
        const std::string_view s = text(n);
        const std::size_t serial_end = std::min(s.find(kGs, kSerialOffset), n);
        const std::size_t serial_length = serial_end - kSerialOffset;
        if (serial_length == 0 || serial_length > kMaxSerial) return CodeError::bad_serial;
        set_field(named(Ai::serial), kSerialOffset, serial_length);
        code_.ki_ = span(0, serial_end);
        if (serial_end == n) {
            code_.length_ = static_cast<std::uint16_t>(n);
            return CodeError::none;
        }
        return parse_elements(s, serial_end + 1);
    }

    CodeError parse_elements(std::string_view s, std::size_t pos) {
        std::bitset<kAiIdCount> seen;
        seen.set(1);   // 01
        seen.set(11);  // 21
        static_assert(kAiTable[1].ai == "01" && kAiTable[11].ai == "21");
        while (pos < s.size()) {
            if (s[pos] == kGs) return CodeError::empty_element;
            const std::optional<AiSpec> spec = find_ai(s.substr(pos));
            if (!spec) return CodeError::unknown_ai;
            if (seen.test(spec->id)) return CodeError::duplicate_ai;
            seen.set(spec->id);
            const std::size_t value_start = pos + spec->ai_length;
            std::size_t value_end = 0;
            if (spec->predefined) {
                value_end = value_start + spec->max_length;
                if (value_end > s.size()) return CodeError::bad_ai_value;
            } else {
                value_end = std::min(s.find(kGs, value_start), s.size());
                if (value_end == value_start) return CodeError::empty_element;
            }
            const std::string_view value = s.substr(value_start, value_end - value_start);
            if (value.find(kGs) != std::string_view::npos || !valid_value(*spec, value)) {
                return CodeError::bad_ai_value;
            }
            if (spec->named != kUnnamed) set_field(spec->named, value_start, value.size());
            pos = value_end;
            if (pos < s.size() && s[pos] == kGs) ++pos;
        }
        // The one separator GS1 tolerates at the end was dropped before; another is empty.
        if (s.back() == kGs) return CodeError::empty_element;
        code_.length_ = static_cast<std::uint16_t>(s.size());

        const bool key = code_.has(Ai::crypto_key);
        const bool crypto = code_.has(Ai::crypto_code);
        if (key != crypto) return CodeError::incomplete_crypto;
        code_.has_tail_ = key || code_.has(Ai::short_crypto);
        if (crypto) {
            const std::string_view value = code_.field(Ai::crypto_code);
            bool upper = false;
            bool lower = false;
            for (const char c : value) {
                upper = upper || (c >= 'A' && c <= 'Z');
                lower = lower || (c >= 'a' && c <= 'z');
            }
            code_.crypto_upper_case_ = upper && !lower;
        }
        return CodeError::none;
    }

    // 01 + GTIN + 21 are in place and the code has no GS at all.
    CodeError parse_unseparated(std::size_t n) {
        const std::string_view s = text(n);
        for (const GsLessTemplate& t : kGsLessTemplates) {
            if (!matches(t, s)) continue;
            // Re-insert the separators, then parse as if the scanner had sent them.
            std::array<char, kMaxCodeLength> rebuilt;
            std::size_t o = 0;
            std::size_t pos = kSerialOffset + t.serial_length;
            std::memcpy(rebuilt.data(), s.data(), pos);
            o = pos;
            for (std::size_t e = 0; e < t.element_count; ++e) {
                const std::size_t length = t.elements[e].ai.size() + t.elements[e].value_length;
                rebuilt[o++] = kGs;
                std::memcpy(rebuilt.data() + o, s.data() + pos, length);
                o += length;
                pos += length;
            }
            std::memcpy(code_.buffer_.data(), rebuilt.data(), o);
            code_.repairs_.gs_recovered = true;
            return parse_separated(o);
        }
        const std::size_t rest = n - kSerialOffset;
        if (rest == 0) return CodeError::bad_serial;
        // No template fits: a КИ alone (what POS software sends to the LM) if the rest can be a
        // serial; otherwise a tail is glued to the serial and cannot be cut off reliably.
        if (rest > kMaxSerial) return CodeError::gs_missing_ambiguous;
        return parse_separated(n);
    }

    MarkingCode& code_;
};

std::optional<std::uint32_t> MarkingCode::block_price() const {
    if (!has(Ai::block_price)) return std::nullopt;
    std::uint32_t value = 0;
    for (const char c : field(Ai::block_price))
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
    return value;
}

std::optional<unsigned> MarkingCode::volume_decimals() const {
    const FieldSpan volume = fields_[static_cast<std::size_t>(Ai::volume)];
    if (!volume.present() || volume.offset == 0) return std::nullopt;
    return static_cast<unsigned>(buffer_[volume.offset - 1u] - '0');
}

namespace {

// The literal reading of "%1D"/"<GS>" stands only if it is what its own full() means. Where
// full() differs from the input (a trailing GS dropped), decoding full() may parse as a code with
// another КИ: "…21<serial>!<GS>␝" reads literally as serial "<serial>!<GS>", but its full()
// "…!<GS>" decodes to serial "<serial>!" (found by tests/fuzz/fuzz_marking_code).
bool literal_reading_rereads(const MarkingCode& code, InputChannel channel) {
    MarkingCode again;
    bool ambiguous = false;
    NormaliseOptions options;
    options.channel = channel;
    if (CodeParser(again).parse(code.full(), options, ambiguous) != CodeError::none) return true;
    return again.ki() == code.ki();
}

}  // namespace

ParseResult parse_marking_code(std::string_view raw, InputChannel channel) {
    // One named result all the way through, so that it is constructed in place (NRVO): copying
    // or zeroing a MarkingCode is a large part of a parse's cost.
    ParseResult result;
    bool ambiguous = false;
    NormaliseOptions options;
    options.channel = channel;
    result.error = CodeParser(result.code).parse(raw, options, ambiguous);
    if (result.error != CodeError::none && ambiguous) {
        // A "%1D" or "<GS>" that did not work as a separator may be part of a serial.
        const CodeError first_error = result.error;
        const Repairs first_repairs = result.code.repairs();
        CodeParser::clear_all_but_repairs(result.code);
        options.decode_ambiguous_escapes = false;
        result.error = CodeParser(result.code).parse(raw, options, ambiguous);
        if (result.error != CodeError::none || !literal_reading_rereads(result.code, channel)) {
            result.error = first_error;  // the literal reading was only a fallback
            CodeParser::set_repairs(result.code, first_repairs);
        }
    }
    if (result.error != CodeError::none) CodeParser::clear_all_but_repairs(result.code);
    return result;
}

}  // namespace piotd::protocol
