// Relay kind piotd: a store piotd upstream (docs/relay.md). Every document — LM sales and returns
// too, as documents of origin lm — goes to POST /api/v1/documents/batch (runs) or
// /api/v1/documents (one), with its id as the Idempotency-Key; the store dedups by it.
#include <rapidjson/document.h>

#include "daemon/relay/document_sender.hpp"
#include "protocol/json/upstream_json.hpp"

namespace piotd::daemon {

namespace {

class PiotdSender : public DocumentSender {
public:
    explicit PiotdSender(std::unique_ptr<DocumentTransport> transport)
        : transport_(std::move(transport)) {}

    // The stored canonical form is what goes: the upstream parses it again.
    SendOutcome send(const storage::OutboxRecord& record,
                     const protocol::RelayDocument& /*document*/) override {
        const UpstreamReply reply =
            transport_->send(http::verb::post, "/api/v1/documents", record.document,
                             {{"Idempotency-Key", record.id}});
        if (reply.status >= 200 && reply.status < 300) {
            rapidjson::Document json;
            const bool confirmed = protocol::parse_upstream_json(reply.body, json) &&
                                   json.IsObject() && json.HasMember("id") &&
                                   json["id"].IsString() && record.id == json["id"].GetString();
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

    // POST /api/v1/documents/batch: the whole run in one request and one transaction upstream.
    // An upstream without it (404, 405) gets documents one by one from then on.
    std::vector<SendOutcome> send_run(
        const std::vector<const storage::OutboxRecord*>& records,
        const std::vector<protocol::RelayDocument>& documents) override {
        if (!batch_ || records.size() < 2) return DocumentSender::send_run(records, documents);
        std::string body = "{\"documents\":[";
        std::size_t taken = 0;
        for (const storage::OutboxRecord* record : records) {
            if (taken > 0 && body.size() + record->document.size() > kMaxBatchBytes) break;
            if (taken > 0) body += ',';
            body += record->document;
            ++taken;
        }
        body += "]}";
        const UpstreamReply reply =
            transport_->send(http::verb::post, "/api/v1/documents/batch", body, {});
        if (reply.status == 404 || reply.status == 405) {
            batch_ = false;
            return DocumentSender::send_run(records, documents);
        }
        if (reply.status != 200) {
            if (!transient_status(reply.status))
                return DocumentSender::send_run(records, documents);
            return {{SendStatus::transient,
                     "HTTP " + std::to_string(reply.status) + ": " + reply.body.substr(0, 300),
                     {}}};
        }
        rapidjson::Document json;
        if (!protocol::parse_upstream_json(reply.body, json) || !json.IsObject() ||
            !json.HasMember("results") || !json["results"].IsArray() ||
            json["results"].Size() != taken) {
            return {{SendStatus::transient,
                     "batch answer does not match the request: " + reply.body.substr(0, 100),
                     {}}};
        }
        std::vector<SendOutcome> outcomes;
        for (std::size_t i = 0; i < taken; ++i) {
            const auto& result = json["results"][static_cast<rapidjson::SizeType>(i)];
            const int status =
                result.IsObject() && result.HasMember("status") && result["status"].IsInt()
                    ? result["status"].GetInt()
                    : 0;
            const bool same_id = result.IsObject() && result.HasMember("id") &&
                                 result["id"].IsString() &&
                                 records[i]->id == result["id"].GetString();
            if ((status == 200 || status == 201) && same_id) {
                outcomes.push_back({SendStatus::delivered, {}, {}});
                continue;
            }
            std::string detail = "HTTP " + std::to_string(status);
            if (result.IsObject() && result.HasMember("description") &&
                result["description"].IsString()) {
                detail += std::string(": ") + result["description"].GetString();
            }
            outcomes.push_back({status == 0 || transient_status(status) ? SendStatus::transient
                                                                        : SendStatus::rejected,
                                detail,
                                {}});
        }
        return outcomes;
    }

private:
    static constexpr std::size_t kMaxBatchBytes = 512 * 1024;  // under the default body limit
    bool batch_ = true;
    std::unique_ptr<DocumentTransport> transport_;
};

}  // namespace

std::unique_ptr<DocumentSender> make_piotd_sender(std::unique_ptr<DocumentTransport> transport) {
    return std::make_unique<PiotdSender>(std::move(transport));
}

}  // namespace piotd::daemon
