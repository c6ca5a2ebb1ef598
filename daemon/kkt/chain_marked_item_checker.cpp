#include "daemon/kkt/chain_marked_item_checker.hpp"

#include <algorithm>
#include <limits>

#include "daemon/permissive/waited_check.hpp"
#include "protocol/code_error.hpp"
#include "protocol/marking_code.hpp"
#include "protocol/tag1260.hpp"

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

MarkedItemVerdict ChainMarkedItemChecker::check(const protocol::ReceiptItem& item,
                                                const std::string& fiscal_drive) {
    MarkedItemVerdict verdict;
    const std::string_view raw = item.code ? std::string_view(*item.code) : std::string_view();
    const protocol::ParseResult parsed = protocol::parse_marking_code(raw);
    if (!parsed) {
        verdict.reason = "invalid_code";
        verdict.message_ru = "Код маркировки не распознан: отсканируйте его ещё раз";
        verdict.message_en = std::string("The marking code is not valid (") +
                             std::string(protocol::code_error_message(parsed.error)) +
                             "): scan it again";
        return verdict;
    }
    verdict.code = parsed.code.full();
    verdict.ki = parsed.code.ki();
    const auto items = std::make_shared<const std::vector<CheckItem>>(
        std::vector<CheckItem>{check_item(item, parsed.code)});
    const CheckOutcome outcome = check_and_wait(checker_, items, fiscal_drive);
    verdict.source = std::string(check_source_name(outcome.source));
    if (outcome.source == CheckSource::none || outcome.items.size() != 1) {
        verdict.reason = "cannot_check";
        verdict.message_ru =
            "Код нельзя проверить: нет ответа Честного знака, а локальный модуль не готов — "
            "продажа маркированного товара невозможна";
        verdict.message_en =
            "The code cannot be checked: no True API answer and the local module is not ready (" +
            outcome.online_failure + "): marked goods cannot be sold";
        return verdict;
    }
    const ItemVerdict& checked = outcome.items.front();
    if (!checked.decision.allowed) {
        refuse(verdict, checked.decision);
        return verdict;
    }
    const std::optional<std::string> tag = protocol::encode_tag1260(checked.industry_prop_value);
    if (!tag) {
        verdict.reason = "cannot_check";
        verdict.message_ru = "Тег 1260 не удалось сформировать";
        verdict.message_en = "Tag 1260 cannot be encoded from " + checked.industry_prop_value;
        return verdict;
    }
    verdict.allowed = true;
    verdict.tag1265 = checked.industry_prop_value;
    verdict.tag1260.assign(tag->begin(), tag->end());
    return verdict;
}

}  // namespace piotd::daemon
