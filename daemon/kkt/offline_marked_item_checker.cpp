#include "daemon/kkt/offline_marked_item_checker.hpp"

#include "daemon/version.hpp"
#include "protocol/code_error.hpp"
#include "protocol/ffd_tlv.hpp"
#include "protocol/lm_status.hpp"
#include "protocol/marking_code.hpp"
#include "protocol/uuid.hpp"

namespace piotd::daemon {

std::vector<std::uint8_t> industry_requisite_1260(std::string_view value_1265) {
    std::vector<std::uint8_t> inner;
    protocol::append_tlv(inner, 1262, std::string_view("030"));
    protocol::append_tlv(inner, 1263, std::string_view("21.11.2023"));
    protocol::append_tlv(inner, 1264, std::string_view("1944"));
    protocol::append_tlv(inner, 1265, value_1265.substr(0, 256));
    std::vector<std::uint8_t> outer;
    protocol::append_tlv(outer, 1260, inner);
    return outer;
}

MarkedItemVerdict OfflineMarkedItemChecker::check(std::string_view raw) {
    MarkedItemVerdict verdict;
    if (module_.status() != protocol::LmStatus::ready) {
        verdict.reason = "not_ready";
        verdict.message_ru =
            "Локальный модуль не готов (нет актуальных списков): продажа маркированного товара "
            "невозможна";
        verdict.message_en =
            "The local module is not ready (no current lists): marked goods cannot be sold";
        return verdict;
    }
    const protocol::ParseResult parsed = protocol::parse_marking_code(raw);
    if (!parsed) {
        verdict.reason = "invalid_code";
        verdict.message_ru = "Код маркировки не распознан: отсканируйте его ещё раз";
        verdict.message_en = std::string("The marking code is not valid (") +
                             std::string(protocol::code_error_message(parsed.error)) +
                             "): scan it again";
        return verdict;
    }
    const protocol::MarkingCode& code = parsed.code;
    verdict.code = code.full();
    verdict.ki = code.ki();
    const storage::CodeStatus status = module_.lists().lookup(code);
    if (status.blocked()) {
        verdict.reason = "blocked";
        verdict.message_ru = "Код маркировки заблокирован: продажа запрещена, уберите товар";
        verdict.message_en = "The marking code is blocked: the item must not be sold";
        return verdict;
    }
    if (status.sold) {
        verdict.reason = "sold";
        verdict.message_ru = "Этот код маркировки уже продан: продажа запрещена";
        verdict.message_en = "This marking code was already sold: the item must not be sold again";
        return verdict;
    }
    verdict.allowed = true;
    verdict.tag1265 = "UUID=" + protocol::random_uuid() +
                      "&Time=" + std::to_string(module_.now_ms()) + "&Inst=" + module_.inst() +
                      "&Ver=" + kVersion;
    verdict.tag1260 = industry_requisite_1260(verdict.tag1265);
    return verdict;
}

}  // namespace piotd::daemon
