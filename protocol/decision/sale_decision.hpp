// Whether a marked item may be sold, from the online True API answer (lm-api.md §7.1) or the
// offline local-module answer (§7.2). Pure, allocation-free, ~30 ns per item
// (bench/decision_bench.cpp). The rules, their codes and messages: docs/decision-rules.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "protocol/lm/lm_check_answer.hpp"
#include "protocol/codes/marking_code.hpp"
#include "protocol/decision/sale_reason.hpp"
#include "protocol/trueapi/true_api_check.hpp"

namespace piotd::protocol {

// CRPT product-group ids (groupIds, pg) the rules single out (lm-api.md §4).
inline constexpr int kGroupTobacco = 3;
inline constexpr int kGroupOtp = 12;  // other tobacco products
inline constexpr int kGroupNcp = 16;  // nicotine-containing products

struct SaleContext {
    // The scanned code, parsed: tobacco pack MRP (base 80), block price (AI 8005), the code's
    // shape (pack/block) and its AI 17 expiry. May be null; the rules that need it are skipped.
    const MarkingCode* code = nullptr;
    // pg sent by the POS; offline the only product-group source besides the code's shape.
    std::optional<int> product_group;
    // Price of one unit on the receipt line, kopecks. Nothing when the POS did not send one: the
    // price rules then cannot refuse, and the limits are reported instead (price_not_checked).
    std::optional<std::int64_t> price_kopecks;
    std::uint32_t quantity = 1;  // units on the line; carried for partial sales, not a rule yet
    std::int64_t now_ms = 0;     // epoch ms, for expiry
};

class SaleDecision {
public:
    static constexpr std::size_t kMaxReasons = static_cast<std::size_t>(ReasonId::count);

    bool allowed = true;
    // Price limits the rules derived (kopecks per unit), so a POS that did not send a price can
    // still enforce them. min: smp, smp × packageQuantity or the ncp mrp; max: the tobacco MRP.
    std::optional<std::int64_t> min_price_kopecks;
    std::optional<std::int64_t> max_price_kopecks;

    // In ReasonId order: refusals first, then notes. Pointers into the table of all_reasons().
    std::span<const Reason* const> reasons() const { return {items_.data(), count_}; }
    bool has(ReasonId id) const;
    void add(ReasonId id);  // a refusing reason also clears `allowed`

private:
    std::array<const Reason*, kMaxReasons> items_{};
    std::size_t count_ = 0;
};

// §7.1 on one code object of a True API answer.
SaleDecision decide_online(const TrueApiCodeResult& result, const SaleContext& context);
// §7.2 on one code of a local-module answer (isBlocked, sold, prices). The all-false
// found/valid/… flags of ТС ПИоТ offline answers are never looked at.
SaleDecision decide_offline(const LmCodeResult& result, const SaleContext& context);

}  // namespace piotd::protocol
