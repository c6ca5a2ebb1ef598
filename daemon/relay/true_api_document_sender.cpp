// Relay kind trueapi (tspiot-kkt.md §A.5.2–A.5.6): LK_RECEIPT / LP_RETURN through the unified
// create method, then the document's status is polled until processed or rejected.
#include "daemon/relay/document_sender.hpp"
#include "protocol/trueapi/true_api_document.hpp"

namespace piotd::daemon {

namespace {

class TrueApiSender : public DocumentSender {
public:
    TrueApiSender(std::unique_ptr<DocumentTransport> transport, std::string token,
                  const SignCommand* signer)
        : transport_(std::move(transport)), token_(std::move(token)), signer_(signer) {
        // A bare host gets the documented path; a URL with a path is taken as the base.
        if (transport_->base().empty()) prefix_ = "/api/v3/true-api";
    }

    SendOutcome send(const storage::OutboxRecord& record,
                     const protocol::RelayDocument& document) override {
        std::string body = record.signed_body;
        std::string signature = record.signature;
        if (signature.empty()) {
            // Enqueued before signing was configured: sign now, or it cannot go.
            if (signer_ == nullptr) {
                return {SendStatus::rejected, "unsigned, and no sign command is configured", {}};
            }
            body = protocol::true_api_body(document);
            try {
                signature = signer_->sign(body);
            } catch (const SignError& e) {
                return {SendStatus::rejected, e.what(), {}};
            }
        }
        const std::string_view pg = document.pg ? protocol::product_group_name(*document.pg) : "";
        if (pg.empty()) return {SendStatus::rejected, "no known product group (pg)", {}};
        const UpstreamReply reply = transport_->send(
            http::verb::post, prefix_ + "/lk/documents/create?pg=" + std::string(pg),
            protocol::true_api_create_request(document, body, signature), headers(record.id));
        if (reply.status >= 200 && reply.status < 300) {
            auto id = protocol::parse_created_id(reply.body);
            if (!id) {
                return {SendStatus::transient,
                        "create answered without a document id: " + reply.body.substr(0, 100),
                        {}};
            }
            return {SendStatus::accepted, {}, std::move(*id)};
        }
        return failure(reply);
    }

    SendOutcome check(const storage::OutboxRecord& record) override {
        const auto document = protocol::parse_document(record.document, "");
        const std::string_view pg = document.ok && document.document.pg
                                        ? protocol::product_group_name(*document.document.pg)
                                        : "";
        const UpstreamReply reply = transport_->send(
            http::verb::get,
            prefix_ + "/documents/" + record.upstream_id + "/info?pg=" + std::string(pg), {},
            headers(record.id));
        if (reply.status < 200 || reply.status >= 300) {
            SendOutcome outcome = failure(reply);
            // The create went through; a status lookup that fails is never a rejection.
            outcome.status = SendStatus::transient;
            return outcome;
        }
        const protocol::TrueApiStatus status = protocol::parse_document_info(reply.body);
        switch (status.progress) {
            case protocol::TrueApiProgress::accepted:
                return {SendStatus::delivered, {}, {}};
            case protocol::TrueApiProgress::rejected:
                return {SendStatus::rejected,
                        status.status + (status.reason.empty() ? "" : ": " + status.reason),
                        {}};
            case protocol::TrueApiProgress::processing:
                return {SendStatus::processing, status.status, {}};
            case protocol::TrueApiProgress::unknown:
                break;
        }
        return {
            SendStatus::transient, "unreadable status answer: " + reply.body.substr(0, 100), {}};
    }

    void interrupt() override { transport_->interrupt(); }

private:
    UpstreamClient::Headers headers(const std::string& id) const {
        // Accept */*: the True API answers 406 to narrower lists (§A.5.1).
        return {{"Authorization", "Bearer " + token_}, {"Accept", "*/*"}, {"Idempotency-Key", id}};
    }

    static SendOutcome failure(const UpstreamReply& reply) {
        const std::string detail = "HTTP " + std::to_string(reply.status) + ": " +
                                   protocol::true_api_error_text(reply.body);
        return {transient_status(reply.status) ? SendStatus::transient : SendStatus::rejected,
                detail,
                {}};
    }

    std::unique_ptr<DocumentTransport> transport_;
    std::string token_;
    const SignCommand* signer_;
    std::string prefix_;
};

}  // namespace

std::unique_ptr<DocumentSender> make_true_api_sender(std::unique_ptr<DocumentTransport> transport,
                                                     std::string token, const SignCommand* signer) {
    return std::make_unique<TrueApiSender>(std::move(transport), std::move(token), signer);
}

}  // namespace piotd::daemon
