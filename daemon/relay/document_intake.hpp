// Where documents enter the outbox (docs/relay.md): POST /api/v1/documents and the LM's
// /api/v2/cis/sell|return. Each is one LMDB write transaction that changes the local sold set and
// stores the document (fsync'd at commit), after an idempotency check on its id, so a POS that
// retries never makes two documents and a sale is never recorded without its document.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/local_module.hpp"
#include "daemon/relay/relay_config.hpp"
#include "daemon/relay/sign_command.hpp"
#include "protocol/lm/cis_list_request.hpp"
#include "protocol/lm/lm_sale.hpp"
#include "protocol/documents/relay_document.hpp"
#include "storage/outbox.hpp"

namespace piotd::daemon {

// The document cannot be taken as it is: a field the upstream needs (`field`), or signing.
class IntakeError : public std::runtime_error {
public:
    enum class Kind { invalid_field, signing };
    IntakeError(Kind kind, std::string field, const std::string& message)
        : std::runtime_error(message), kind_(kind), field_(std::move(field)) {}
    Kind kind() const { return kind_; }
    const std::string& field() const { return field_; }

private:
    Kind kind_;
    std::string field_;
};

struct Submitted {
    enum class Outcome { created, duplicate, conflict };  // conflict: same id, other content
    Outcome outcome = Outcome::created;
    storage::OutboxRecord record;
};

// One document of a batch: stored (created, duplicate, conflict), or refused with `error`.
struct BatchSubmitted {
    Submitted submitted;
    std::unique_ptr<IntakeError> error;
};

struct SaleSubmitted {
    bool duplicate = false;
    std::string id;  // the document's id (empty when no code could be sold)
    std::vector<protocol::SaleCodeResult> results;
    bool any_success() const;
};

class DocumentIntake {
public:
    DocumentIntake(LocalModule& module, storage::Outbox& outbox, const RelayConfig& relay,
                   const SignCommand* signer, std::function<void()> on_enqueued);

    // A validated document (parse_document). An empty id gets a fresh UUID. Throws IntakeError,
    // StorageError.
    Submitted submit(protocol::RelayDocument document);

    // Documents with ids (another piotd relaying its outbox), all in one transaction.
    std::vector<BatchSubmitted> submit_batch(const std::vector<protocol::RelayDocument>& documents);

    // LM sale or return of already parsed codes; `id` may be empty (no idempotency).
    SaleSubmitted sale(const std::vector<protocol::CisListEntry>& entries, std::string id,
                       protocol::DocumentType type);

    // The state a new document starts in: queued when a relay will send it, local otherwise.
    storage::OutboxState initial_state(const protocol::RelayDocument& document) const;

private:
    // The record of a new document, signed when a True API relay will send it. Throws
    // IntakeError.
    storage::OutboxRecord prepare(const protocol::RelayDocument& document) const;
    // Stores it unless its id is known (then: duplicate or conflict), in `txn`.
    Submitted store(storage::WriteTxn& txn, const protocol::RelayDocument& document,
                    storage::OutboxRecord record);
    void apply_to_sold_set(storage::WriteTxn& txn, const protocol::RelayDocument& document);
    storage::OutboxRecord new_record(const protocol::RelayDocument& document) const;

    LocalModule& module_;
    storage::Outbox& outbox_;
    const RelayConfig& relay_;
    const SignCommand* signer_;
    std::function<void()> on_enqueued_;
};

}  // namespace piotd::daemon
