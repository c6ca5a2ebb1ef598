// The black lists piotd replicates and checks against, by their LM names.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace piotd::storage {

enum class ListName : std::uint8_t { blocked_cis, blocked_gtin, blocked_series, min_price };

inline constexpr std::array<ListName, 4> kAllLists = {
    ListName::blocked_cis, ListName::blocked_gtin, ListName::blocked_series, ListName::min_price};

// "blocked_cis", "blocked_gtin", "blocked_series", "min_price".
std::string_view list_name(ListName list);
std::optional<ListName> parse_list_name(std::string_view name);

}  // namespace piotd::storage
