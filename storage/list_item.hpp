// One entry of a black list as it is stored: the LMDB key and value, already normalised.
//
// Text form (import files, one item per line; also the replication feed):
//   blocked_cis     a marking code, full (with crypto tail) or КИ  -> key КИ
//   blocked_gtin    GTIN, 14 digits (13/12/8 are left-padded with 0) -> key GTIN14
//   blocked_series  "<GTIN14> <serial prefix>"                      -> key GTIN14 + prefix
//   min_price       "<GTIN14> <kopecks>"                            -> key GTIN14, value u32 LE
//   learned         like blocked_cis                                -> key КИ
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/list_name.hpp"

namespace piotd::storage {

struct ListItem {
    std::string key;
    std::string value;  // empty except for min_price
};

struct ListItemParse {
    bool ok = false;
    ListItem item;
    std::string error;  // why the line was rejected, when !ok
};

ListItemParse parse_list_item(ListName list, std::string_view line);

// Inverse of parse_list_item for an item read back from LMDB (used by export/replication).
std::string format_list_item(ListName list, std::string_view key, std::string_view value);

}  // namespace piotd::storage
