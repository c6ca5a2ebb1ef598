// The black lists piotd replicates and checks against, by their LM names.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace piotd::storage {

// The enum values index per-list arrays and name LMDB databases (storage/environment.hpp):
// a new list goes last, so the lists of an existing data dir keep their indices.
//
// `learned` is piotd's own list, not one of the LM's: КИ that the store's real local module or
// the True API reported as blocked, so every till's local lookup knows them (same item format as
// blocked_cis). An upstream piotd older than the list does not serve it (docs/replication.md).
enum class ListName : std::uint8_t {
    blocked_cis,
    blocked_gtin,
    blocked_series,
    min_price,
    learned
};

inline constexpr std::array<ListName, 5> kAllLists = {ListName::blocked_cis, ListName::blocked_gtin,
                                                      ListName::blocked_series, ListName::min_price,
                                                      ListName::learned};

// "blocked_cis", "blocked_gtin", "blocked_series", "min_price", "learned".
std::string_view list_name(ListName list);
std::optional<ListName> parse_list_name(std::string_view name);

}  // namespace piotd::storage
