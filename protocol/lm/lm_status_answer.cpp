#include "protocol/lm/lm_status_answer.hpp"

#include <type_traits>

namespace piotd::protocol {

namespace {

template <typename T>
void write_count_or_unknown(JsonWriter& writer, const std::optional<T>& value) {
    if (!value) {
        write_string(writer, "unknown");
    } else if constexpr (std::is_signed_v<T>) {
        writer.Int64(*value);
    } else {
        writer.Uint64(*value);
    }
}

}  // namespace

void write_status_answer(JsonWriter& writer, const LmStatusAnswer& answer, LmApiVersion api) {
    writer.StartObject();
    write_key(writer, "name");
    write_string(writer, answer.name);
    write_key(writer, "version");
    write_string(writer, answer.version);
    write_key(writer, "status");
    write_string(writer, lm_status_name(answer.status));
    write_key(writer, "operationMode");
    write_string(writer, answer.operation_mode);
    write_key(writer, "inst");
    write_string(writer, answer.inst);
    write_key(writer, "inn");
    write_string(writer, answer.inn);
    write_key(writer, "dbVersion");
    write_string(writer, answer.db_version);
    write_key(writer, "serviceUrl");
    write_string(writer, answer.service_url);
    write_key(writer, "lastSync");
    writer.Int64(answer.last_sync_ms);
    write_key(writer, "lastUpdate");
    writer.Int64(answer.last_update_ms);
    write_key(writer, "requiresDownload");
    writer.Bool(answer.requires_download);
    write_key(writer, "isGreyGtin");
    writer.Bool(answer.is_grey_gtin);
    write_key(writer, "replicationStatus");
    writer.StartObject();
    for (const ReplicationEntry& entry : answer.replication) {
        write_key(writer, entry.list);
        writer.StartObject();
        write_key(writer, "timeLag");
        write_count_or_unknown(writer, entry.time_lag_ms);
        write_key(writer, "serverDocCount");
        write_count_or_unknown(writer, entry.server_doc_count);
        write_key(writer, "localDocCount");
        write_count_or_unknown(writer, entry.local_doc_count);
        writer.EndObject();
    }
    writer.EndObject();
    if (!answer.clients.empty()) {
        write_key(writer, "clients");
        writer.StartArray();
        for (const ClientEntry& client : answer.clients) {
            writer.StartObject();
            write_key(writer, "id");
            write_string(writer, client.id);
            write_key(writer, "requests");
            writer.Uint64(client.requests);
            write_key(writer, "lastSeen");
            writer.Int64(client.last_seen_ms);
            writer.EndObject();
        }
        writer.EndArray();
    }
    if (!answer.last_error.empty()) {
        write_key(writer, "lastError");
        write_string(writer, answer.last_error);
    }
    if (!answer.local_module_json.empty()) {
        write_key(writer, "localModule");
        writer.RawValue(answer.local_module_json.data(), answer.local_module_json.size(),
                        rapidjson::kObjectType);
    }
    if (api == LmApiVersion::v2) {
        // LM 2.x lists: minimum prices, blocked GTINs, blocked CIS (lm-api.md §4).
        write_key(writer, "dbState");
        writer.StartObject();
        for (const std::string_view list : {"min_price", "blocked_gtin", "blocked_cis"}) {
            std::uint64_t count = 0;
            for (const ReplicationEntry& entry : answer.replication) {
                if (entry.list == list && entry.local_doc_count) count = *entry.local_doc_count;
            }
            write_key(writer, list);
            writer.StartObject();
            write_key(writer, "docCount");
            writer.Uint64(count);
            writer.EndObject();
        }
        writer.EndObject();
    }
    writer.EndObject();
}

}  // namespace piotd::protocol
