// Prices written inside tobacco codes (lm-api.md §7.5, codes-peers.md §A.10).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace piotd::protocol {

// The 80-character alphabet of the pack MRP: A-Z a-z 0-9 ! " % & ' * + - . / _ , : ; = < > ?
// (index 0 = 'A'). Returns the value in kopecks, or nothing if a character is outside it.
// "ABVU" -> 8100, "ACVU" -> 14500, "ACW." -> 14630.
std::optional<std::uint32_t> decode_base80_price(std::string_view four_chars);

// Encodes kopecks (< 80^4) back to four characters; used by tests and the fake upstream.
std::optional<std::array<char, 4>> encode_base80_price(std::uint32_t kopecks);

}  // namespace piotd::protocol
