#include "daemon/relay/document_intake.hpp"

#include <algorithm>

#include "protocol/codes/marking_code.hpp"
#include "protocol/trueapi/true_api_document.hpp"
#include "protocol/text/uuid.hpp"
#include "storage/transaction.hpp"

namespace piotd::daemon {

namespace {

using protocol::DocumentType;
using storage::SoldRecord;

// What a sale line does to the sold record of its code (docs/relay.md "Partial sales"):
// nothing stored -> whole (units 0) or `quantity` units; a whole record refuses; a partial one
// adds units, becomes whole when it reaches inner_unit_count, refuses beyond it.
struct SaleStep {
    bool refused = false;
    std::string reason;
    std::uint32_t units = 0;  // the record after the sale; 0 = whole
};

SaleStep sale_step(const std::optional<SoldRecord>& before, const protocol::DocumentItem& item) {
    const bool partial = item.inner_unit_count && item.quantity < *item.inner_unit_count;
    if (!before) return {false, {}, partial ? item.quantity : 0};
    if (before->units == 0) return {true, "the code is already sold", 0};
    if (!item.inner_unit_count) {
        return {true, "the pack is partly sold: sell the rest with soldUnitCount", 0};
    }
    const std::uint64_t total = std::uint64_t{before->units} + item.quantity;
    if (total > *item.inner_unit_count) {
        return {true,
                "only " + std::to_string(*item.inner_unit_count - before->units) +
                    " units of the pack are left",
                0};
    }
    return {false, {}, total == *item.inner_unit_count ? 0 : static_cast<std::uint32_t>(total)};
}

}  // namespace

bool SaleSubmitted::any_success() const {
    return std::any_of(results.begin(), results.end(),
                       [](const protocol::SaleCodeResult& r) { return r.success; });
}

DocumentIntake::DocumentIntake(LocalModule& module, storage::Outbox& outbox,
                               const RelayConfig& relay, const SignCommand* signer,
                               std::function<void()> on_enqueued)
    : module_(module),
      outbox_(outbox),
      relay_(relay),
      signer_(signer),
      on_enqueued_(std::move(on_enqueued)) {}

storage::OutboxState DocumentIntake::initial_state(const protocol::RelayDocument& document) const {
    if (relay_.url.empty()) return storage::OutboxState::local;
    // A till's sale reached the OFD in its fiscal receipt, which withdraws the codes; sending
    // LK_RECEIPT as well would withdraw them twice (tspiot-kkt.md §A.5.6 point 1).
    if (relay_.kind == RelayKind::trueapi && document.origin == protocol::DocumentOrigin::lm) {
        return storage::OutboxState::local;
    }
    return storage::OutboxState::queued;
}

storage::OutboxRecord DocumentIntake::new_record(const protocol::RelayDocument& document) const {
    storage::OutboxRecord record;
    record.id = document.id;
    record.document = protocol::write_document(document);
    record.state = initial_state(document);
    record.created_ms = module_.now_ms();
    record.updated_ms = record.created_ms;
    return record;
}

void DocumentIntake::apply_to_sold_set(storage::WriteTxn& txn,
                                       const protocol::RelayDocument& document) {
    storage::BlackLists& lists = module_.lists();
    for (const protocol::DocumentItem& item : document.items) {
        const auto value = txn.get(storage::Db::sold, item.cis);
        const auto before = value ? storage::decode_sold_record(*value) : std::nullopt;
        if (document.type == DocumentType::withdrawal) {
            const SaleStep step = sale_step(before, item);
            // A document states what happened; it is recorded even over an earlier sale.
            if (step.refused) continue;
            if (before) lists.unmark_sold(txn, item.cis);
            lists.mark_sold(txn, item.cis, step.units);
            continue;
        }
        // A return takes back the units it names, or the whole code.
        lists.unmark_sold(txn, item.cis);
        if (before && before->units > 0 && item.inner_unit_count && item.quantity < before->units) {
            lists.mark_sold(txn, item.cis, before->units - item.quantity);
        }
    }
}

storage::OutboxRecord DocumentIntake::prepare(const protocol::RelayDocument& document) const {
    storage::OutboxRecord record = new_record(document);
    const bool true_api =
        record.state == storage::OutboxState::queued && relay_.kind == RelayKind::trueapi;
    if (!true_api) return record;
    if (!document.pg || protocol::product_group_name(*document.pg).empty()) {
        throw IntakeError(IntakeError::Kind::invalid_field, "pg",
                          "pg: a known product group id is required for the True API");
    }
    if (signer_ == nullptr) {
        throw IntakeError(IntakeError::Kind::signing, "",
                          "the True API needs a signed document and no sign command is "
                          "configured (--sign-command)");
    }
    // Signed before the write lock is taken: a signer may take seconds.
    record.signed_body = protocol::true_api_body(document);
    try {
        record.signature = signer_->sign(record.signed_body);
    } catch (const SignError& e) {
        throw IntakeError(IntakeError::Kind::signing, "", e.what());
    }
    return record;
}

Submitted DocumentIntake::store(storage::WriteTxn& txn, const protocol::RelayDocument& document,
                                storage::OutboxRecord record) {
    Submitted submitted;
    if (auto existing = outbox_.find(txn, document.id)) {
        submitted.outcome = existing->document == record.document ? Submitted::Outcome::duplicate
                                                                  : Submitted::Outcome::conflict;
        submitted.record = std::move(*existing);
        return submitted;
    }
    apply_to_sold_set(txn, document);
    submitted.record = outbox_.enqueue(txn, std::move(record)).record;
    return submitted;
}

Submitted DocumentIntake::submit(protocol::RelayDocument document) {
    if (document.id.empty()) document.id = protocol::random_uuid();
    if (auto existing = outbox_.find(document.id)) {
        // A retry: answered without signing again.
        Submitted submitted;
        submitted.outcome = existing->document == protocol::write_document(document)
                                ? Submitted::Outcome::duplicate
                                : Submitted::Outcome::conflict;
        submitted.record = std::move(*existing);
        return submitted;
    }
    storage::OutboxRecord record = prepare(document);
    Submitted submitted;
    {
        storage::WriteTxn txn(module_.env());
        submitted = store(txn, document, std::move(record));
        if (submitted.outcome == Submitted::Outcome::created) txn.commit();
    }
    if (submitted.outcome != Submitted::Outcome::created) return submitted;
    module_.lists().publish();
    if (submitted.record.state == storage::OutboxState::queued) on_enqueued_();
    return submitted;
}

std::vector<BatchSubmitted> DocumentIntake::submit_batch(
    const std::vector<protocol::RelayDocument>& documents) {
    std::vector<BatchSubmitted> results(documents.size());
    std::vector<std::optional<storage::OutboxRecord>> records(documents.size());
    for (std::size_t i = 0; i < documents.size(); ++i) {
        try {
            records[i] = prepare(documents[i]);
        } catch (const IntakeError& e) {
            results[i].error = std::make_unique<IntakeError>(e);
        }
    }
    bool queued = false;
    {
        storage::WriteTxn txn(module_.env());
        for (std::size_t i = 0; i < documents.size(); ++i) {
            if (!records[i]) continue;
            results[i].submitted = store(txn, documents[i], std::move(*records[i]));
            queued = queued || (results[i].submitted.outcome == Submitted::Outcome::created &&
                                results[i].submitted.record.state == storage::OutboxState::queued);
        }
        txn.commit();
    }
    module_.lists().publish();
    if (queued) on_enqueued_();
    return results;
}

SaleSubmitted DocumentIntake::sale(const std::vector<protocol::CisListEntry>& entries,
                                   std::string id, DocumentType type) {
    SaleSubmitted submitted;
    protocol::RelayDocument document;
    document.id = id.empty() ? protocol::random_uuid() : std::move(id);
    document.type = type;
    document.origin = protocol::DocumentOrigin::lm;
    for (const protocol::CisListEntry& entry : entries) {
        protocol::DocumentItem item;
        item.cis = entry.cis;  // already the КИ (the handler parsed it)
        item.inner_unit_count = entry.inner_unit_count;
        item.quantity = entry.sold_unit_count.value_or(1);  // checked by the handler
        document.items.push_back(std::move(item));
    }

    if (auto existing = outbox_.find(document.id)) {
        // A retry: answer what the first request did (its document lists the codes that went).
        submitted.duplicate = true;
        submitted.id = existing->id;
        const auto stored = protocol::parse_document(existing->document, "");
        for (const protocol::DocumentItem& item : document.items) {
            const bool in_document =
                stored.ok && std::any_of(stored.document.items.begin(), stored.document.items.end(),
                                         [&](const auto& s) { return s.cis == item.cis; });
            submitted.results.push_back({item.cis, in_document, in_document ? "" : "already_sold",
                                         in_document ? "" : "the code is already sold"});
        }
        return submitted;
    }

    storage::OutboxState state = storage::OutboxState::local;
    {
        storage::WriteTxn txn(module_.env());
        protocol::RelayDocument accepted = document;
        accepted.items.clear();
        for (const protocol::DocumentItem& item : document.items) {
            if (type == DocumentType::return_) {
                submitted.results.push_back({item.cis, true, {}, {}});
                accepted.items.push_back(item);
                continue;
            }
            const auto value = txn.get(storage::Db::sold, item.cis);
            const auto before = value ? storage::decode_sold_record(*value) : std::nullopt;
            const SaleStep step = sale_step(before, item);
            if (step.refused) {
                submitted.results.push_back({item.cis, false, "already_sold", step.reason});
                continue;
            }
            if (before) module_.lists().unmark_sold(txn, item.cis);
            module_.lists().mark_sold(txn, item.cis, step.units);
            submitted.results.push_back({item.cis, true, {}, {}});
            accepted.items.push_back(item);
        }
        if (accepted.items.empty()) return submitted;          // nothing sold, nothing to relay
        if (auto existing = outbox_.find(txn, accepted.id)) {  // a concurrent retry won
            submitted.duplicate = true;
            submitted.id = existing->id;
            return submitted;
        }
        if (type == DocumentType::return_) apply_to_sold_set(txn, accepted);
        storage::OutboxRecord record = new_record(accepted);
        state = record.state;
        submitted.id = outbox_.enqueue(txn, std::move(record)).record.id;
        txn.commit();
    }
    module_.lists().publish();
    if (state == storage::OutboxState::queued) on_enqueued_();
    return submitted;
}

}  // namespace piotd::daemon
