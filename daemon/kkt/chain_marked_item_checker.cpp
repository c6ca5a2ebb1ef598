#include "daemon/kkt/chain_marked_item_checker.hpp"

#include <algorithm>
#include <limits>

#include "daemon/permissive/waited_check.hpp"
#include "protocol/codes/code_error.hpp"
#include "protocol/codes/marking_code.hpp"
#include "protocol/decision/tag1260.hpp"

namespace piotd::daemon {

namespace {

CheckItem check_item(const protocol::ReceiptItem& item, const protocol::MarkingCode& code) {
    CheckItem out{code, {}, 1, {}};
    if (item.price_kopecks <=
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        out.price_kopecks = static_cast<std::int64_t>(item.price_kopecks);
    }
    // Whole units on the line (a weighed item counts as one).
    const std::uint64_t units = std::max<std::uint64_t>(1, item.quantity_millionths / 1'000'000);
    out.quantity = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(units, std::numeric_limits<std::uint32_t>::max()));
    return out;
}

void refuse(MarkedItemVerdict& verdict, const protocol::SaleDecision& decision) {
    for (const protocol::Reason* reason : decision.reasons()) {
        if (!reason->refuses) continue;
        if (verdict.reason.empty()) {
            verdict.reason = std::string(reason->code);
        } else {
            verdict.message_ru += "; ";
            verdict.message_en += "; ";
        }
        verdict.message_ru += reason->message_ru;
        verdict.message_en += reason->message_en;
    }
}

}  // namespace

std::vector<MarkedItemVerdict> ChainMarkedItemChecker::check(
    const std::vector<const protocol::ReceiptItem*>& items, const std::string& fiscal_drive) {
    std::vector<MarkedItemVerdict> verdicts(items.size());
    auto to_check = std::make_shared<std::vector<CheckItem>>();
    std::vector<std::size_t> checked_index;  // verdicts index of each to_check entry
    for (std::size_t i = 0; i < items.size(); ++i) {
        MarkedItemVerdict& verdict = verdicts[i];
        const std::string_view raw =
            items[i]->code ? std::string_view(*items[i]->code) : std::string_view();
        const protocol::ParseResult parsed = protocol::parse_marking_code(raw);
        if (!parsed) {
            verdict.reason = "invalid_code";
            verdict.message_ru = "Код маркировки не распознан: отсканируйте его ещё раз";
            verdict.message_en = std::string("The marking code is not valid (") +
                                 std::string(protocol::code_error_message(parsed.error)) +
                                 "): scan it again";
            continue;
        }
        verdict.code = parsed.code.full();
        verdict.ki = parsed.code.ki();
        to_check->push_back(check_item(*items[i], parsed.code));
        checked_index.push_back(i);
    }
    if (to_check->empty()) return verdicts;
    const CheckOutcome outcome = check_and_wait(checker_, to_check, fiscal_drive);
    for (std::size_t k = 0; k < checked_index.size(); ++k) {
        MarkedItemVerdict& verdict = verdicts[checked_index[k]];
        verdict.source = std::string(check_source_name(outcome.source));
        if (outcome.source == CheckSource::none || outcome.items.size() != to_check->size()) {
            verdict.reason = "cannot_check";
            verdict.message_ru =
                "Код нельзя проверить: нет ответа Честного знака, а локальный модуль не готов — "
                "продажа маркированного товара невозможна";
            verdict.message_en =
                "The code cannot be checked: no True API answer and the local "
                "module is not ready (" +
                outcome.online_failure + "): marked goods cannot be sold";
            continue;
        }
        const ItemVerdict& checked = outcome.items[k];
        if (!checked.decision.allowed) {
            refuse(verdict, checked.decision);
            continue;
        }
        if (checked.industry_prop_value.empty()) {
            // local_module.on_failure = no_tag: sold without tag 1260 (docs/local-module.md).
            verdict.allowed = true;
            continue;
        }
        const std::optional<std::string> tag =
            protocol::encode_tag1260(checked.industry_prop_value);
        if (!tag) {
            verdict.reason = "cannot_check";
            verdict.message_ru = "Тег 1260 не удалось сформировать";
            verdict.message_en = "Tag 1260 cannot be encoded from " + checked.industry_prop_value;
            continue;
        }
        verdict.allowed = true;
        verdict.tag1265 = checked.industry_prop_value;
        verdict.tag1260.assign(tag->begin(), tag->end());
    }
    return verdicts;
}

}  // namespace piotd::daemon
