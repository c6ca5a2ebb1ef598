// Why a sale is refused (or what the cashier should know although it is allowed), as data: one
// row per reason with a stable machine code, the rule, the messages and the reference section.
// docs/decision-rules.md is the same table in prose; a unit test keeps the two in step.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace piotd::protocol {

enum class ReasonId : std::uint8_t {
    // Refusals (lm-api.md §7.1 online, §7.2 offline), in the order they are checked.
    not_valid,
    not_found,
    not_utilised,
    not_verified,
    check_error,
    blocked,
    sold,
    not_realizable,
    expired,
    price_above_mrp,
    price_below_min_price,
    code_mrp_below_min_price,
    price_below_mrp,
    // piotd's own refusals in front of a local module (docs/local-module.md).
    own_list,
    lm_unavailable,
    // Notes: never refuse, tell the cashier or the POS something worth knowing.
    tobacco_grey_zone,
    price_not_checked,
    count
};

struct Reason {
    ReasonId id;
    bool refuses;                 // false for notes
    std::string_view code;        // snake_case, stable: API answers and scenarios use it
    std::string_view rule;        // the condition, in the reference's field names
    std::string_view message_ru;  // for the cashier
    std::string_view message_en;
    std::string_view source;  // section of ../shared/reference/lm-api.md
};

const Reason& reason(ReasonId id);
// Every reason, in ReasonId order.
std::span<const Reason> all_reasons();
// Looks a reason up by its code; nullptr when unknown.
const Reason* find_reason(std::string_view code);

}  // namespace piotd::protocol
