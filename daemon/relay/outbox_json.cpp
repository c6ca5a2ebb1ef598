#include "daemon/relay/outbox_json.hpp"

#include "protocol/documents/relay_document.hpp"

namespace piotd::daemon {

using protocol::write_key;
using protocol::write_string;

void write_outbox_record(protocol::JsonWriter& writer, const storage::OutboxRecord& record,
                         bool sending, bool with_document) {
    writer.StartObject();
    write_key(writer, "id");
    write_string(writer, record.id);
    write_key(writer, "seq");
    writer.Uint64(record.seq);
    write_key(writer, "state");
    write_string(writer, sending ? "sending" : storage::outbox_state_name(record.state));
    const protocol::DocumentParse parsed = protocol::parse_document(record.document, "");
    if (parsed.ok) {
        write_key(writer, "type");
        write_string(writer, protocol::document_type_name(parsed.document.type));
        write_key(writer, "origin");
        write_string(writer, protocol::document_origin_name(parsed.document.origin));
        write_key(writer, "codes");
        writer.Uint64(parsed.document.items.size());
    }
    write_key(writer, "createdAt");
    writer.Int64(record.created_ms);
    write_key(writer, "updatedAt");
    writer.Int64(record.updated_ms);
    write_key(writer, "attempts");
    writer.Uint(record.attempts);
    write_key(writer, "rejections");
    writer.Uint(record.rejections);
    if (storage::outbox_pending(record.state) && record.next_attempt_ms > 0) {
        write_key(writer, "nextAttemptAt");
        writer.Int64(record.next_attempt_ms);
    }
    if (!record.last_error.empty()) {
        write_key(writer, "reason");
        write_string(writer, record.last_error);
    }
    if (!record.upstream_id.empty()) {
        write_key(writer, "upstreamId");
        write_string(writer, record.upstream_id);
    }
    if (!record.signature.empty()) {
        write_key(writer, "signed");
        writer.Bool(true);
    }
    if (with_document) {
        write_key(writer, "document");
        writer.RawValue(record.document.data(), record.document.size(), rapidjson::kObjectType);
    }
    writer.EndObject();
}

std::string outbox_record_json(const storage::OutboxRecord& record, bool sending,
                               bool with_document) {
    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    write_outbox_record(writer, record, sending, with_document);
    return {buffer.GetString(), buffer.GetSize()};
}

std::string outbox_summary_json(const OutboxHealth& health,
                                const std::vector<storage::OutboxRecord>& documents) {
    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    write_key(writer, "relay");
    if (health.relay_url.empty()) {
        writer.Null();
    } else {
        writer.StartObject();
        write_key(writer, "url");
        write_string(writer, health.relay_url);
        write_key(writer, "kind");
        write_string(writer, health.relay_kind);
        writer.EndObject();
    }
    const storage::OutboxCounts& c = health.counts;
    write_key(writer, "counts");
    writer.StartObject();
    for (const auto& [name, value] :
         {std::pair{"queued", c.queued}, std::pair{"checking", c.checking},
          std::pair{"rejected", c.rejected}, std::pair{"dead", c.dead}, std::pair{"done", c.done},
          std::pair{"total", c.total}}) {
        write_key(writer, name);
        writer.Uint64(value);
    }
    writer.EndObject();
    write_key(writer, "oldestPendingAgeMs");
    if (c.oldest_pending_ms) {
        writer.Int64(std::max<std::int64_t>(0, health.now_ms - *c.oldest_pending_ms));
    } else {
        writer.Null();
    }
    write_key(writer, "warnings");
    writer.StartArray();
    for (const std::string& warning : health.warnings) write_string(writer, warning);
    writer.EndArray();
    write_key(writer, "documents");
    writer.StartArray();
    for (const auto& record : documents) write_outbox_record(writer, record, false, false);
    writer.EndArray();
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace piotd::daemon
