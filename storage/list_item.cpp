#include "storage/list_item.hpp"

#include <charconv>
#include <limits>

#include "protocol/codes/code_error.hpp"
#include "protocol/codes/code_normaliser.hpp"
#include "protocol/codes/marking_code.hpp"

namespace piotd::storage {

namespace {

constexpr std::size_t kGtinLength = 14;
constexpr std::size_t kMaxPrefixLength = 20;  // a serial is at most 20 characters

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

bool all_digits(std::string_view s) {
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return !s.empty();
}

// GTIN-8/12/13 are GTIN-14 with leading zeros (GS1 General Specifications §4.13): store one form.
// The check digit is not enforced: the CRPT sandbox lists GTINs whose check digit is wrong.
bool normalise_gtin(std::string_view text, std::string& out) {
    const std::size_t n = text.size();
    if (!all_digits(text) || (n != 8 && n != 12 && n != 13 && n != kGtinLength)) return false;
    out.assign(kGtinLength - n, '0');
    out.append(text);
    return true;
}

// Splits "<first><whitespace><second>" with exactly two fields.
bool split_pair(std::string_view line, std::string_view& first, std::string_view& second) {
    std::size_t i = 0;
    while (i < line.size() && !is_space(line[i])) ++i;
    first = line.substr(0, i);
    second = trim(line.substr(i));
    if (first.empty() || second.empty()) return false;
    for (const char c : second) {
        if (is_space(c)) return false;
    }
    return true;
}

ListItemParse reject(std::string error) {
    ListItemParse result;
    result.error = std::move(error);
    return result;
}

ListItemParse accept(std::string key, std::string value = {}) {
    ListItemParse result;
    result.ok = true;
    result.item.key = std::move(key);
    result.item.value = std::move(value);
    return result;
}

constexpr std::string_view kGtinRule = "GTIN must be 8, 12, 13 or 14 digits";

ListItemParse parse_cis(std::string_view line) {
    const protocol::ParseResult parsed = protocol::parse_marking_code(line);
    if (!parsed) {
        return reject("bad marking code: " + std::string(protocol::code_error_name(parsed.error)));
    }
    return accept(std::string(parsed.code.ki()));
}

ListItemParse parse_gtin(std::string_view line) {
    std::string gtin;
    if (!normalise_gtin(line, gtin)) return reject(std::string(kGtinRule));
    return accept(std::move(gtin));
}

ListItemParse parse_series(std::string_view line) {
    std::string_view gtin_text;
    std::string_view prefix;
    if (!split_pair(line, gtin_text, prefix)) return reject("expected \"<GTIN> <serial prefix>\"");
    std::string key;
    if (!normalise_gtin(gtin_text, key)) return reject(std::string(kGtinRule));
    bool cset82 = prefix.size() <= kMaxPrefixLength;
    for (const char c : prefix) cset82 = cset82 && protocol::is_cset82(c);
    if (!cset82) return reject("serial prefix must be 1 to 20 GS1 (CSET 82) characters");
    key.append(prefix);
    return accept(std::move(key));
}

ListItemParse parse_min_price(std::string_view line) {
    std::string_view gtin_text;
    std::string_view kopecks_text;
    if (!split_pair(line, gtin_text, kopecks_text)) return reject("expected \"<GTIN> <kopecks>\"");
    std::string key;
    if (!normalise_gtin(gtin_text, key)) return reject(std::string(kGtinRule));
    std::uint64_t kopecks = 0;
    const char* end = kopecks_text.data() + kopecks_text.size();
    const auto [ptr, ec] = std::from_chars(kopecks_text.data(), end, kopecks);
    if (!all_digits(kopecks_text) || ec != std::errc{} || ptr != end ||
        kopecks > std::numeric_limits<std::uint32_t>::max()) {
        return reject("price must be whole kopecks from 0 to 4294967295");
    }
    std::string value(4, '\0');
    for (std::size_t i = 0; i < 4; ++i) value[i] = static_cast<char>((kopecks >> (8 * i)) & 0xff);
    return accept(std::move(key), std::move(value));
}

}  // namespace

ListItemParse parse_list_item(ListName list, std::string_view line) {
    line = trim(line);
    if (line.empty()) return reject("empty line");
    switch (list) {
        case ListName::blocked_cis:
        case ListName::learned:
            return parse_cis(line);
        case ListName::blocked_gtin:
            return parse_gtin(line);
        case ListName::blocked_series:
            return parse_series(line);
        case ListName::min_price:
            return parse_min_price(line);
    }
    return reject("unknown list");
}

std::string format_list_item(ListName list, std::string_view key, std::string_view value) {
    switch (list) {
        case ListName::blocked_cis:
        case ListName::blocked_gtin:
        case ListName::learned:
            return std::string(key);
        case ListName::blocked_series:
            if (key.size() <= kGtinLength) return std::string(key);
            return std::string(key.substr(0, kGtinLength)) + " " +
                   std::string(key.substr(kGtinLength));
        case ListName::min_price: {
            std::uint32_t kopecks = 0;
            for (std::size_t i = 0; i < value.size() && i < 4; ++i) {
                kopecks |= std::uint32_t{static_cast<unsigned char>(value[i])} << (8 * i);
            }
            return std::string(key) + " " + std::to_string(kopecks);
        }
    }
    return std::string(key);
}

}  // namespace piotd::storage
