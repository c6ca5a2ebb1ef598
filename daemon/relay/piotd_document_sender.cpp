// Relay kind piotd: a store piotd upstream (docs/relay.md). LM sales go to its LM endpoints,
// full documents to POST /api/v1/documents; both carry the id as the Idempotency-Key, and the
// store dedups by it.
#include <rapidjson/document.h>

#include "daemon/relay/document_sender.hpp"

namespace piotd::daemon {

namespace {

class PiotdSender : public DocumentSender {
public:
    explicit PiotdSender(std::unique_ptr<DocumentTransport> transport)
        : transport_(std::move(transport)) {}

    SendOutcome send(const storage::OutboxRecord& record,
                     const protocol::RelayDocument& document) override {
        if (document.origin == protocol::DocumentOrigin::lm) {
            return send_lm_sale(*transport_, record, document);
        }
        const UpstreamReply reply =
            transport_->send(http::verb::post, "/api/v1/documents", record.document,
                             {{"Idempotency-Key", record.id}});
        if (reply.status >= 200 && reply.status < 300) {
            rapidjson::Document json;
            json.Parse(reply.body.data(), reply.body.size());
            const bool confirmed = !json.HasParseError() && json.IsObject() &&
                                   json.HasMember("id") && json["id"].IsString() &&
                                   record.id == json["id"].GetString();
            if (!confirmed) {
                return {SendStatus::transient,
                        "answer does not confirm the document: " + reply.body.substr(0, 100),
                        {}};
            }
            return {SendStatus::delivered, {}, {}};
        }
        const std::string detail =
            "HTTP " + std::to_string(reply.status) + ": " + reply.body.substr(0, 300);
        return {transient_status(reply.status) ? SendStatus::transient : SendStatus::rejected,
                detail,
                {}};
    }
    SendOutcome check(const storage::OutboxRecord&) override {
        return {SendStatus::delivered, {}, {}};
    }
    void interrupt() override { transport_->interrupt(); }

private:
    std::unique_ptr<DocumentTransport> transport_;
};

}  // namespace

std::unique_ptr<DocumentSender> make_piotd_sender(std::unique_ptr<DocumentTransport> transport) {
    return std::make_unique<PiotdSender>(std::move(transport));
}

}  // namespace piotd::daemon
