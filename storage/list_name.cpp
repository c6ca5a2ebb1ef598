#include "storage/list_name.hpp"

namespace piotd::storage {

std::string_view list_name(ListName list) {
    switch (list) {
        case ListName::blocked_cis:
            return "blocked_cis";
        case ListName::blocked_gtin:
            return "blocked_gtin";
        case ListName::blocked_series:
            return "blocked_series";
        case ListName::min_price:
            return "min_price";
        case ListName::learned:
            return "learned";
    }
    return "unknown";
}

std::optional<ListName> parse_list_name(std::string_view name) {
    for (const ListName list : kAllLists) {
        if (list_name(list) == name) return list;
    }
    return std::nullopt;
}

}  // namespace piotd::storage
