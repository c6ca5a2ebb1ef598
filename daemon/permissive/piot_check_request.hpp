// The body of POST /api/v1/piot/check (docs/permissive-mode.md):
//   {"items":[{"code":"<full КМ>","price":<kopecks>,"quantity":1,"pg":<int>}],
//    "fiscalDriveNumber":"<ФН>"}
// price, quantity, pg and fiscalDriveNumber are optional. Codes are parsed and normalised as in
// the LM API; GS may be raw or written \u001d.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/permissive/permissive_checker.hpp"

namespace piotd::daemon {

struct PiotCheckRequest {
    std::string error;  // empty: valid; else a message naming the field
    bool invalid_json = false;
    bool invalid_code = false;
    std::vector<CheckItem> items;
    std::string fiscal_drive_number;
};

PiotCheckRequest parse_piot_check_request(std::string_view body, std::size_t max_items);

}  // namespace piotd::daemon
