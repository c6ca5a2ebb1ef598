#include "daemon/kkt/relay_sale_recorder.hpp"

#include <stdexcept>

#include "daemon/kkt/sale_json.hpp"
#include "daemon/log.hpp"
#include "storage/held_sale.hpp"
#include "storage/transaction.hpp"

namespace piotd::daemon {

std::string sale_document_id(const Sale& sale) {
    if (sale.fn_number.empty()) return {};
    return "kkt-" + sale.fn_number + "-" + std::to_string(sale.document_number);
}

void RelaySaleRecorder::record(const Sale& sale) {
    record_sale(sale);
    release(sale.fn_number);
}

void RelaySaleRecorder::hold(const Sale& sale, std::uint32_t last_document_before) {
    storage::WriteTxn txn(env_);
    storage::write_held_sale(txn, sale.fn_number,
                             storage::HeldSaleRecord{last_document_before, write_sale_json(sale)});
    txn.commit();
}

std::optional<HeldSale> RelaySaleRecorder::held(const std::string& fn_number) {
    std::optional<storage::HeldSaleRecord> record;
    {
        storage::ReadTxn txn(env_);
        record = storage::read_held_sale(txn, fn_number);
    }
    if (!record) return std::nullopt;
    std::optional<Sale> sale = read_sale_json(record->sale);
    if (!sale || sale->fn_number != fn_number) {
        log_error("kkt", "the sale held for FN " + fn_number + " cannot be read back; dropped");
        release(fn_number);
        return std::nullopt;
    }
    return HeldSale{std::move(*sale), record->last_document_before};
}

void RelaySaleRecorder::release(const std::string& fn_number) {
    storage::WriteTxn txn(env_);
    if (storage::clear_held_sale(txn, fn_number)) txn.commit();
}

void RelaySaleRecorder::record_sale(const Sale& sale) {
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
