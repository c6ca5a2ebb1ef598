#include "daemon/kkt/relay_sale_recorder.hpp"

#include <stdexcept>

#include "daemon/log.hpp"

namespace piotd::daemon {

std::string sale_document_id(const Sale& sale) {
    if (sale.fn_number.empty()) return {};
    return "kkt-" + sale.fn_number + "-" + std::to_string(sale.document_number);
}

void RelaySaleRecorder::record(const Sale& sale) {
    if (sale.items.empty()) return;
    std::vector<protocol::CisListEntry> entries;
    entries.reserve(sale.items.size());
    for (const SoldItem& item : sale.items) {
        protocol::CisListEntry entry;
        entry.cis = item.ki;
        entries.push_back(std::move(entry));
    }
    const SaleSubmitted submitted =
        intake_.sale(entries, sale_document_id(sale), protocol::DocumentType::withdrawal);
    if (submitted.duplicate) return;
    std::string refused;
    for (const protocol::SaleCodeResult& result : submitted.results) {
        if (!result.success) refused += (refused.empty() ? "" : ", ") + result.cis;
    }
    if (refused.empty()) return;
    // The receipt is fiscal already: what was sold before stays sold, but say so.
    if (!submitted.any_success()) {
        throw std::runtime_error("every code of the receipt was already sold: " + refused);
    }
    log_warning("kkt", "receipt " + submitted.id + ": already sold before: " + refused);
}

}  // namespace piotd::daemon
