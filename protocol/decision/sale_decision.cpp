#include "protocol/decision/sale_decision.hpp"

#include <cstdint>
#include <limits>

#include "protocol/text/iso_datetime.hpp"

namespace piotd::protocol {

bool SaleDecision::has(ReasonId id) const {
    for (std::size_t i = 0; i < count_; ++i) {
        if (items_[i]->id == id) return true;
    }
    return false;
}

void SaleDecision::add(ReasonId id) {
    if (has(id) || count_ == items_.size()) return;
    const Reason& r = reason(id);
    if (r.refuses) allowed = false;
    // Kept in ReasonId order (refusals before notes) whatever order the rules run in, so the
    // list a cashier sees, and the scenarios compare, does not depend on the code's layout.
    std::size_t at = count_;
    while (at > 0 && items_[at - 1]->id > id) {
        items_[at] = items_[at - 1];
        --at;
    }
    items_[at] = &r;
    ++count_;
}

namespace {

constexpr std::int64_t kDayMs = 86400000;

// AI 17 (YYMMDD) as the first millisecond after the expiry day, UTC. DD 00 means the last day
// of the month (GS1 General Specifications §3.4.7), i.e. the product expires when it ends.
std::optional<std::int64_t> code_expiry_end_ms(const MarkingCode* code) {
    if (code == nullptr || !code->has(Ai::expiry)) return std::nullopt;
    const std::string_view v = code->field(Ai::expiry);
    if (v.size() != 6) return std::nullopt;
    const int year = 2000 + (v[0] - '0') * 10 + (v[1] - '0');
    const unsigned month = static_cast<unsigned>((v[2] - '0') * 10 + (v[3] - '0'));
    const unsigned day = static_cast<unsigned>((v[4] - '0') * 10 + (v[5] - '0'));
    if (month < 1 || month > 12 || day > 31) return std::nullopt;
    if (day == 0) {
        // The first day of the next month.
        return month == 12 ? days_from_civil(year + 1, 1, 1) * kDayMs
                           : days_from_civil(year, month + 1, 1) * kDayMs;
    }
    return (days_from_civil(year, month, day) + 1) * kDayMs;
}

// What the price rules need, from whichever answer.
struct PriceFacts {
    bool tobacco = false;
    bool block = false;
    std::optional<std::int64_t> answer_mrp;  // > 0 only
    std::optional<std::int64_t> smp;         // > 0 only
    std::optional<std::int64_t> package_quantity;
};

std::optional<std::int64_t> positive(std::optional<std::int64_t> value) {
    if (value && *value > 0) return value;
    return std::nullopt;
}

// §7.1 rules 8–10 (§7.2 "prices"): limits first, then the sale price against them.
void apply_prices(SaleDecision& d, const PriceFacts& facts, const SaleContext& context) {
    const MarkingCode* code = context.code;
    if (facts.tobacco) {
        std::optional<std::int64_t> max;
        std::optional<std::int64_t> min;
        if (facts.block) {
            if (code != nullptr && code->block_price()) {
                max = *code->block_price();
            } else {
                max = facts.answer_mrp;
            }
            if (facts.smp && facts.package_quantity && *facts.package_quantity > 0) {
                // Both come from the upstream answer: a product past int64 (found by
                // fuzz_true_api_answer) saturates, a minimum above any price there can be,
                // which is what the true product is.
                std::int64_t block_min = 0;
                if (__builtin_mul_overflow(*facts.smp, *facts.package_quantity, &block_min)) {
                    block_min = std::numeric_limits<std::int64_t>::max();
                }
                min = block_min;
            }
        } else {
            if (code != nullptr && code->pack_mrp()) {
                max = *code->pack_mrp();
            } else {
                max = facts.answer_mrp;
            }
            min = facts.smp;
        }
        if (max && *max <= 0) max.reset();
        d.max_price_kopecks = max;
        d.min_price_kopecks = min;
        if (max && min && *max < *min) d.add(ReasonId::code_mrp_below_min_price);
        if (context.price_kopecks) {
            if (max && *context.price_kopecks > *max) d.add(ReasonId::price_above_mrp);
            if (min && *context.price_kopecks < *min) d.add(ReasonId::price_below_min_price);
        }
    } else if (facts.answer_mrp) {
        // ncp (and, per S19, other groups with an mrp): the mrp is the lowest allowed price.
        d.min_price_kopecks = facts.answer_mrp;
        if (context.price_kopecks && *context.price_kopecks < *facts.answer_mrp) {
            d.add(ReasonId::price_below_mrp);
        }
    }
    if (!context.price_kopecks && (d.min_price_kopecks || d.max_price_kopecks)) {
        d.add(ReasonId::price_not_checked);
    }
}

// Without groupIds: pg from the POS when it sent one, else the code's shape. A pack-shaped code
// whose price field is zero ("AAAA") is not tobacco: nicotine products (ncp) use the same
// 29-character layout without a price (§9 E6).
bool code_is_tobacco(const SaleContext& context) {
    if (context.product_group) return *context.product_group == kGroupTobacco;
    const MarkingCode* code = context.code;
    if (code == nullptr) return false;
    if (code->kind() == CodeKind::tobacco_pack) return code->pack_mrp().value_or(0) != 0;
    return code->has(Ai::block_price);
}

bool code_is_block(const SaleContext& context) {
    const MarkingCode* code = context.code;
    return code != nullptr && code->kind() == CodeKind::gs1 && code->has(Ai::block_price);
}

}  // namespace

SaleDecision decide_online(const TrueApiCodeResult& r, const SaleContext& context) {
    SaleDecision d;
    // A malformed or unknown code makes every other flag meaningless: report only that.
    if (r.valid == false) {
        d.add(ReasonId::not_valid);
        return d;
    }
    if (r.found == false || (!r.found && r.error_code == 10)) {
        d.add(ReasonId::not_found);
        return d;
    }
    if (r.utilised == false) d.add(ReasonId::not_utilised);
    if (r.verified == false) d.add(ReasonId::not_verified);
    if (r.error_code && *r.error_code != 0 && d.allowed) d.add(ReasonId::check_error);
    if (r.is_blocked == true) d.add(ReasonId::blocked);
    if (r.sold == true) d.add(ReasonId::sold);

    const bool tobacco = r.group_ids.empty() ? code_is_tobacco(context) : r.in_group(kGroupTobacco);
    // A code that was never applied, or was sold, is out of circulation because of that: the
    // root cause is reported, not its consequence.
    if (r.realizable == false && r.utilised != false && r.sold != true) {
        if (tobacco && r.gray_zone == true) {
            d.add(ReasonId::tobacco_grey_zone);
        } else {
            d.add(ReasonId::not_realizable);
        }
    }

    if (r.expire_date_ms) {
        if (*r.expire_date_ms < context.now_ms) d.add(ReasonId::expired);
    } else if (const auto end = code_expiry_end_ms(context.code); end && *end <= context.now_ms) {
        d.add(ReasonId::expired);
    }

    PriceFacts facts;
    facts.tobacco = tobacco;
    facts.block = r.package_type ? *r.package_type == "GROUP" : code_is_block(context);
    facts.answer_mrp = positive(r.mrp);
    facts.smp = positive(r.smp);
    facts.package_quantity = r.package_quantity;
    apply_prices(d, facts, context);
    return d;
}

SaleDecision decide_offline(const LmCodeResult& r, const SaleContext& context) {
    SaleDecision d;
    if (r.is_blocked) d.add(ReasonId::blocked);
    if (r.sold) d.add(ReasonId::sold);
    if (const auto end = code_expiry_end_ms(context.code); end && *end <= context.now_ms) {
        d.add(ReasonId::expired);
    }
    PriceFacts facts;
    facts.tobacco = code_is_tobacco(context);
    facts.block = code_is_block(context);
    if (r.mrp) facts.answer_mrp = positive(static_cast<std::int64_t>(*r.mrp));
    facts.smp = positive(static_cast<std::int64_t>(r.smp));
    apply_prices(d, facts, context);
    return d;
}

}  // namespace piotd::protocol
