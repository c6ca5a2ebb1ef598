// Decoding of the check request body {"cis_list":[…]} (lm-api.md §3.4, §3.5, §4). Both shapes are
// accepted in both API versions: strings (v1) and {"cis":…, "pg":…} objects (v2), because POS
// software mixes them up and the answer does not depend on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace piotd::protocol {

struct CisListEntry {
    std::string cis;
    std::optional<int> pg;  // product group id, when given
    // A partial sale (LM v2 /cis/sell|return): units sold of a pack of innerUnitCount.
    std::optional<std::uint32_t> sold_unit_count;
    std::optional<std::uint32_t> inner_unit_count;
};

enum class RequestError : std::uint8_t {
    none,
    invalid_json,    // not JSON, or not an object at the top
    missing_field,   // no cis_list, or an object entry without cis
    invalid_field,   // cis_list not an array, a cis that is not a string, pg not an integer
    too_many_codes,  // more entries than allowed
    empty_list,
};

struct CisListRequest {
    RequestError error = RequestError::none;
    std::string detail;  // human-readable, names the offending entry
    std::vector<CisListEntry> entries;
};

CisListRequest decode_cis_list(std::string_view body, std::size_t max_codes);

}  // namespace piotd::protocol
