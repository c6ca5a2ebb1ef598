// The check request bodies piotd sends a real local module when it is its client (lm-api.md
// §2.2, §2.3, §3.5, §4, §9 E3). The codes go in raw (no URL-escaping) as JSON strings: the КИ
// without its crypto tail, which the caller has already cut off (§2.2). Strings are escaped as
// in every JSON piotd writes (protocol/json/json_text.hpp): '"' and '\\' with a backslash, \b \t \n
// \f \r by name, other control characters as \u00XX (GS is \u001D); every other byte, UTF-8
// included, is copied as it is.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace piotd::protocol {

struct LmCheckQuery {
    std::string_view cis;              // the КИ
    std::optional<int> product_group;  // CRPT product-group id ("pg", v2 only), when known
};

// POST /api/v1/cis/outCheck body: {"cis_list":["КИ",…]} (product groups are not sent in v1).
std::string build_lm_v1_check_body(std::span<const LmCheckQuery> codes);

// POST /api/v2/cis/outCheck body: {"cis_list":[{"cis":"КИ","pg":8},…]} ("pg" left out when
// absent).
std::string build_lm_v2_check_body(std::span<const LmCheckQuery> codes);

}  // namespace piotd::protocol
