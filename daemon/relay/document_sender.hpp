// One kind of upstream as the relay sees it (docs/relay.md "Upstreams"): sending one document
// and, for the True API, asking how its processing went. Senders never touch LMDB; the relay
// commits what they report.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daemon/relay/document_transport.hpp"
#include "daemon/relay/relay_config.hpp"
#include "daemon/relay/sign_command.hpp"
#include "protocol/documents/relay_document.hpp"
#include "storage/outbox_record.hpp"

namespace piotd::daemon {

enum class SendStatus : std::uint8_t {
    delivered,   // the upstream has it: done
    accepted,    // the True API took it (upstream_id): poll its status
    processing,  // the True API is still processing it: poll again later
    transient,   // network, 5xx, 401, garbage: retry with backoff, forever
    rejected,    // the upstream refused it (4xx, CHECKED_NOT_OK): counts toward dead
};

struct SendOutcome {
    SendStatus status = SendStatus::transient;
    std::string detail;       // the reason for anything but delivered
    std::string upstream_id;  // accepted: the True API's document id
};

class DocumentSender {
public:
    virtual ~DocumentSender() = default;
    virtual SendOutcome send(const storage::OutboxRecord& record,
                             const protocol::RelayDocument& document) = 0;
    // Only for documents in state checking (the True API).
    virtual SendOutcome check(const storage::OutboxRecord& record) = 0;
    virtual void interrupt() = 0;
    // Sends a run of consecutive due documents in order and returns one outcome per document it
    // got to (a prefix of the run). This default sends them one by one and stops after the first
    // failure; a sender with a batch endpoint overrides it.
    virtual std::vector<SendOutcome> send_run(
        const std::vector<const storage::OutboxRecord*>& records,
        const std::vector<protocol::RelayDocument>& documents);
};

// HTTP status classes every sender shares: 2xx ok; 5xx, 401, 408, 429 transient; other 4xx a
// permanent rejection.
bool transient_status(int status);

// Sends an LM-style sale or return (POST /api/v2/cis/sell|return) with the Idempotency-Key.
SendOutcome send_lm_sale(DocumentTransport& transport, const storage::OutboxRecord& record,
                         const protocol::RelayDocument& document);

std::unique_ptr<DocumentSender> make_piotd_sender(std::unique_ptr<DocumentTransport> transport);
std::unique_ptr<DocumentSender> make_lm_sender(std::unique_ptr<DocumentTransport> transport);
std::unique_ptr<DocumentSender> make_true_api_sender(std::unique_ptr<DocumentTransport> transport,
                                                     std::string token, const SignCommand* signer);

}  // namespace piotd::daemon
