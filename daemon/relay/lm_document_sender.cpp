// Relay kind lm: a real local module (or anything speaking its v2 sold-set API) upstream. The
// LM has no document endpoint, so every document goes as a sale or a return of its codes.
#include <rapidjson/document.h>

#include "daemon/relay/document_sender.hpp"
#include "protocol/lm/lm_sale.hpp"
#include "protocol/json/upstream_json.hpp"

namespace piotd::daemon {

SendOutcome send_lm_sale(DocumentTransport& transport, const storage::OutboxRecord& record,
                         const protocol::RelayDocument& document) {
    const char* target = document.type == protocol::DocumentType::withdrawal ? "/api/v2/cis/sell"
                                                                             : "/api/v2/cis/return";
    const UpstreamReply reply =
        transport.send(http::verb::post, target, protocol::write_lm_sale_request(document),
                       {{"Idempotency-Key", record.id}});
    const std::string detail =
        "HTTP " + std::to_string(reply.status) + ": " + reply.body.substr(0, 300);
    if (reply.status >= 200 && reply.status < 300) {
        rapidjson::Document json;
        // An answer that is not the LM's shape is not a confirmation (a proxy's page, garbage).
        if (!protocol::parse_upstream_json(reply.body, json) || !json.IsObject()) {
            return {SendStatus::transient, "not a JSON answer: " + reply.body.substr(0, 100), {}};
        }
        return {SendStatus::delivered, {}, {}};
    }
    return {
        transient_status(reply.status) ? SendStatus::transient : SendStatus::rejected, detail, {}};
}

namespace {

class LmSender : public DocumentSender {
public:
    explicit LmSender(std::unique_ptr<DocumentTransport> transport)
        : transport_(std::move(transport)) {}

    SendOutcome send(const storage::OutboxRecord& record,
                     const protocol::RelayDocument& document) override {
        return send_lm_sale(*transport_, record, document);
    }
    SendOutcome check(const storage::OutboxRecord&) override {
        return {SendStatus::delivered, {}, {}};
    }
    void interrupt() override { transport_->interrupt(); }

private:
    std::unique_ptr<DocumentTransport> transport_;
};

}  // namespace

std::unique_ptr<DocumentSender> make_lm_sender(std::unique_ptr<DocumentTransport> transport) {
    return std::make_unique<LmSender>(std::move(transport));
}

}  // namespace piotd::daemon
