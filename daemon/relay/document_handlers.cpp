#include "daemon/relay/document_handlers.hpp"

#include <rapidjson/document.h>

#include <charconv>

#include "daemon/http/json_error.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/query_string.hpp"
#include "daemon/relay/outbox_json.hpp"
#include "daemon/relay/request_id.hpp"
#include "protocol/json/json_writer.hpp"

namespace piotd::daemon {

namespace {

constexpr std::string_view kDocumentsPrefix = "/api/v1/documents/";
constexpr std::string_view kOutboxPrefix = "/api/v1/outbox/";
constexpr std::size_t kMaxListed = 1000;
constexpr std::size_t kMaxBatch = 1000;

// The standard error body plus "field": the JSON path of the culprit.
Response field_error(http::status status, ApiError error, std::string_view field,
                     const std::string& message) {
    const std::string description = field.empty() ? message : std::string(field) + ": " + message;
    std::string body = json_error_body(status, error, description);
    if (!field.empty()) {
        protocol::JsonBuffer buffer;
        protocol::JsonWriter writer(buffer);
        protocol::write_string(writer, field);
        body.pop_back();
        body += ",\"field\":";
        body.append(buffer.GetString(), buffer.GetSize());
        body += "}";
    }
    return json_response(status, std::move(body));
}

// The {id} after `prefix`, percent-decoded; empty when absent or malformed.
std::string path_id(std::string_view path, std::string_view prefix, std::string_view suffix = {}) {
    if (!path.starts_with(prefix)) return {};
    std::string_view rest = path.substr(prefix.size());
    if (!suffix.empty()) {
        if (!rest.ends_with(suffix)) return {};
        rest.remove_suffix(suffix.size());
    }
    if (rest.find('/') != std::string_view::npos) return {};
    auto decoded = percent_decode(rest);
    return decoded ? *decoded : std::string{};
}

Response record_answer(RelayService& relay, http::status status,
                       const storage::OutboxRecord& record, bool with_document) {
    return json_response(status,
                         outbox_record_json(record, relay.sending(record.seq), with_document));
}

Response unknown_document(const std::string& id) {
    return json_error(http::status::not_found, ApiError::unknown_document,
                      "no document with id " + id.substr(0, 128));
}

}  // namespace

namespace {

Response answer_document_post(RelayService& relay, std::string_view body, std::string_view header) {
    protocol::DocumentParse parsed = protocol::parse_document(body, header);
    if (!parsed.ok) {
        const ApiError error = parsed.error.json                       ? ApiError::invalid_json
                               : parsed.error.message == "is required" ? ApiError::missing_field
                                                                       : ApiError::invalid_field;
        return field_error(http::status::bad_request, error, parsed.error.field,
                           parsed.error.message);
    }
    Submitted submitted;
    try {
        submitted = relay.intake().submit(std::move(parsed.document));
    } catch (const IntakeError& e) {
        if (e.kind() == IntakeError::Kind::signing) {
            return field_error(http::status::service_unavailable, ApiError::signing_failed, "",
                               e.what());
        }
        return field_error(http::status::bad_request, ApiError::invalid_field, e.field(), e.what());
    }
    switch (submitted.outcome) {
        case Submitted::Outcome::created:
            return record_answer(relay, http::status::created, submitted.record, false);
        case Submitted::Outcome::duplicate:
            return record_answer(relay, http::status::ok, submitted.record, false);
        case Submitted::Outcome::conflict:
            break;
    }
    return field_error(http::status::conflict, ApiError::idempotency_conflict, "id",
                       "a different document was already submitted with this id");
}

Response answer_document_batch(RelayService& relay, const std::string& body) {
    rapidjson::Document json;
    json.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(body.data(),
                                                                                   body.size());
    if (json.HasParseError() || !json.IsObject()) {
        return field_error(http::status::bad_request, ApiError::invalid_json, "",
                           "body must be a JSON object {\"documents\":[…]}");
    }
    const auto list = json.FindMember("documents");
    if (list == json.MemberEnd() || !list->value.IsArray() || list->value.Empty()) {
        return field_error(http::status::bad_request, ApiError::missing_field, "documents",
                           "must be a non-empty array");
    }
    if (list->value.Size() > kMaxBatch) {
        return field_error(http::status::bad_request, ApiError::too_many_codes, "documents",
                           "at most " + std::to_string(kMaxBatch) + " documents per batch");
    }
    struct Entry {
        std::string id;
        std::string field;
        std::string error;  // set: refused before the intake
    };
    std::vector<Entry> entries(list->value.Size());
    std::vector<protocol::RelayDocument> documents;
    std::vector<std::size_t> positions;
    for (rapidjson::SizeType i = 0; i < list->value.Size(); ++i) {
        const std::string where = "documents[" + std::to_string(i) + "]";
        protocol::JsonBuffer buffer;
        protocol::JsonWriter writer(buffer);
        list->value[i].Accept(writer);
        protocol::DocumentParse parsed =
            protocol::parse_document({buffer.GetString(), buffer.GetSize()}, "");
        if (!parsed.ok) {
            entries[i].field = where + (parsed.error.field.empty() ? "" : "." + parsed.error.field);
            entries[i].error = parsed.error.message;
            continue;
        }
        if (parsed.document.id.empty()) {
            entries[i].field = where + ".id";
            entries[i].error = "is required in a batch (the idempotency key)";
            continue;
        }
        entries[i].id = parsed.document.id;
        documents.push_back(std::move(parsed.document));
        positions.push_back(i);
    }
    const std::vector<BatchSubmitted> submitted = relay.intake().submit_batch(documents);

    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    protocol::write_key(writer, "results");
    writer.StartArray();
    std::size_t next = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const BatchSubmitted* result =
            next < positions.size() && positions[next] == i ? &submitted[next++] : nullptr;
        if (result != nullptr && !result->error &&
            result->submitted.outcome != Submitted::Outcome::conflict) {
            const bool created = result->submitted.outcome == Submitted::Outcome::created;
            writer.StartObject();
            protocol::write_key(writer, "status");
            writer.Int(created ? 201 : 200);
            protocol::write_key(writer, "document");
            write_outbox_record(writer, result->submitted.record, false, false);
            protocol::write_key(writer, "id");
            protocol::write_string(writer, result->submitted.record.id);
            writer.EndObject();
            continue;
        }
        int status = 400;
        ApiError error = ApiError::invalid_field;
        std::string field = entries[i].field;
        std::string message = entries[i].error;
        if (result != nullptr && result->error) {
            const bool signing = result->error->kind() == IntakeError::Kind::signing;
            status = signing ? 503 : 400;
            error = signing ? ApiError::signing_failed : ApiError::invalid_field;
            field = result->error->field();
            message = result->error->what();
        } else if (result != nullptr) {
            status = 409;
            error = ApiError::idempotency_conflict;
            field = "id";
            message = "a different document was already submitted with this id";
        }
        writer.StartObject();
        protocol::write_key(writer, "status");
        writer.Int(status);
        protocol::write_key(writer, "id");
        protocol::write_string(writer, entries[i].id);
        protocol::write_key(writer, "errorCode");
        writer.Int(static_cast<int>(error));
        protocol::write_key(writer, "error");
        protocol::write_string(writer, api_error_name(error));
        protocol::write_key(writer, "field");
        protocol::write_string(writer, field);
        protocol::write_key(writer, "description");
        protocol::write_string(writer, message);
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return json_response(http::status::ok, std::string(buffer.GetString(), buffer.GetSize()));
}

// Signing runs an external command that may take seconds: never on an I/O thread. The job gets
// its own copy of the body; a full pool answers 503 at once.
Reply on_signing_pool(RelayService& relay, std::string body, std::string header, bool batch) {
    BoundedWorkerPool* pool = relay.signing_pool();
    if (pool == nullptr) {
        return Reply(batch ? answer_document_batch(relay, body)
                           : answer_document_post(relay, body, header));
    }
    return Reply::later([&relay, pool, body = std::move(body), header = std::move(header),
                         batch](ReplyCompletion complete) mutable {
        const bool queued = pool->try_submit(
            [&relay, body = std::move(body), header = std::move(header), batch, complete] {
                complete(batch ? answer_document_batch(relay, body)
                               : answer_document_post(relay, body, header));
            });
        if (!queued) {
            complete(field_error(http::status::service_unavailable, ApiError::signing_failed, "",
                                 "the signer is busy with other documents; retry shortly"));
        }
    });
}

}  // namespace

Reply handle_document_post(RelayService& relay, const RequestContext& context) {
    return on_signing_pool(relay, context.request.body(),
                           std::string(idempotency_header(context.request)), false);
}

Reply handle_document_batch(RelayService& relay, const RequestContext& context) {
    return on_signing_pool(relay, context.request.body(), {}, true);
}

Response handle_document_get(RelayService& relay, const RequestContext& context) {
    const std::string id = path_id(context.path, kDocumentsPrefix);
    if (id.empty()) return unknown_document(id);
    const auto record = relay.outbox().find(id);
    if (!record) return unknown_document(id);
    return record_answer(relay, http::status::ok, *record, false);
}

Response handle_outbox_summary(RelayService& relay, const RequestContext& context) {
    const QueryValue state_param = query_param(context.query, "state");
    storage::OutboxState state = storage::OutboxState::dead;
    if (state_param.present) {
        const auto parsed = storage::parse_outbox_state(state_param.value);
        if (!parsed) {
            return field_error(http::status::bad_request, ApiError::invalid_field, "state",
                               "must be queued, checking, rejected, dead, delivered or local");
        }
        state = *parsed;
    }
    std::size_t limit = 100;
    std::uint64_t after = 0;
    for (const auto& [name, out] : {std::pair{"limit", &limit}}) {
        const QueryValue value = query_param(context.query, name);
        if (!value.present) continue;
        const auto [end, ec] =
            std::from_chars(value.value.data(), value.value.data() + value.value.size(), *out);
        if (ec != std::errc{} || end != value.value.data() + value.value.size() ||
            *out > kMaxListed) {
            return field_error(http::status::bad_request, ApiError::invalid_field, name,
                               "must be a whole number up to " + std::to_string(kMaxListed));
        }
    }
    if (const QueryValue value = query_param(context.query, "after"); value.present) {
        const auto [end, ec] =
            std::from_chars(value.value.data(), value.value.data() + value.value.size(), after);
        if (ec != std::errc{} || end != value.value.data() + value.value.size()) {
            return field_error(http::status::bad_request, ApiError::invalid_field, "after",
                               "must be a seq number");
        }
    }
    const OutboxHealth health = relay.health();
    const auto documents = relay.outbox().list(state, limit, after);
    return json_response(http::status::ok, outbox_summary_json(health, documents));
}

Response handle_outbox_get(RelayService& relay, const RequestContext& context) {
    const std::string id = path_id(context.path, kOutboxPrefix);
    const auto record = id.empty() ? std::nullopt : relay.outbox().find(id);
    if (!record) return unknown_document(id);
    return record_answer(relay, http::status::ok, *record, true);
}

Response handle_outbox_retry(RelayService& relay, const RequestContext& context) {
    const std::string id = path_id(context.path, kOutboxPrefix, "/retry");
    if (id.empty() || !relay.outbox().find(id)) return unknown_document(id);
    // The record as the retry committed it: the relay, woken below or by its own timer, may
    // deliver it at once, and the answer is about the retry ("queued"), not a race with the
    // sender (a CI run saw "delivered again"; a read after the commit can still see "sending").
    const auto record = relay.outbox().retry(id, relay.module().now_ms());
    if (!record) {
        return json_error(http::status::conflict, ApiError::not_dead,
                          "only a dead document can be retried");
    }
    relay.wake();
    return json_response(http::status::ok, outbox_record_json(*record, false, false));
}

}  // namespace piotd::daemon
