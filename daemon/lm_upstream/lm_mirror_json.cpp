#include "daemon/lm_upstream/lm_mirror_json.hpp"

namespace piotd::daemon {

namespace {

using protocol::write_key;
using protocol::write_string;

void write_optional(protocol::JsonWriter& writer, const char* key,
                    const std::optional<std::int64_t>& value) {
    write_key(writer, key);
    if (value) {
        writer.Int64(*value);
    } else {
        write_string(writer, "unknown");  // as the LM itself writes an unknown counter
    }
}

void write_lists(protocol::JsonWriter& writer, const protocol::LmClientStatus& status) {
    bool replication = false;
    bool db_state = false;
    for (const protocol::LmListCounts& list : status.lists) {
        replication =
            replication || list.server_doc_count || list.local_doc_count || list.time_lag_ms;
        db_state = db_state || list.doc_count;
    }
    if (replication) {
        write_key(writer, "replicationStatus");
        writer.StartObject();
        for (const protocol::LmListCounts& list : status.lists) {
            if (list.doc_count && !list.server_doc_count && !list.local_doc_count) continue;
            write_key(writer, list.name);
            writer.StartObject();
            write_optional(writer, "timeLag", list.time_lag_ms);
            write_optional(writer, "serverDocCount", list.server_doc_count);
            write_optional(writer, "localDocCount", list.local_doc_count);
            writer.EndObject();
        }
        writer.EndObject();
    }
    if (db_state) {
        write_key(writer, "dbState");
        writer.StartObject();
        for (const protocol::LmListCounts& list : status.lists) {
            if (!list.doc_count) continue;
            write_key(writer, list.name);
            writer.StartObject();
            write_key(writer, "docCount");
            writer.Int64(*list.doc_count);
            writer.EndObject();
        }
        writer.EndObject();
    }
}

}  // namespace

void write_lm_mirror(protocol::JsonWriter& writer, const LmMirror& mirror, LmMirrorView view) {
    const bool full = view == LmMirrorView::full;
    const auto text = [&](const char* key, const std::string& value) {
        write_key(writer, key);
        write_string(writer, value);
    };
    writer.StartObject();
    if (full) {
        text("url", mirror.url);
        text("apiVersion", mirror.api_version);
    }
    write_key(writer, "reachable");
    writer.Bool(mirror.reachable);
    if (mirror.status) {
        const protocol::LmClientStatus& s = *mirror.status;
        text("status", s.status);
        if (full) {
            text("inst", s.inst);
            text("version", s.version);
            text("name", s.name);
            text("inn", s.inn);
            text("dbVersion", s.db_version);
        }
        text("operationMode", s.operation_mode);
        if (full) text("serviceUrl", s.service_url);
        write_key(writer, "lastSync");
        if (s.last_sync_ms) {
            writer.Int64(*s.last_sync_ms);
            // When the LM goes to sync_error if it does not sync before (the 72-hour rule).
            write_key(writer, "syncDeadline");
            writer.Int64(*s.last_sync_ms + kLmSyncLimitMs);
        } else {
            writer.Null();
        }
        if (full) {
            write_key(writer, "lastUpdate");
            if (s.last_update_ms) {
                writer.Int64(*s.last_update_ms);
            } else {
                writer.Null();
            }
        }
        write_key(writer, "requiresDownload");
        if (s.requires_download) {
            writer.Bool(*s.requires_download);
        } else {
            writer.Null();
        }
        if (full) write_lists(writer, s);
    } else {
        write_key(writer, "status");
        writer.Null();
    }
    if (full) text("lastError", mirror.last_error);
    write_key(writer, "checkedAt");
    writer.Int64(mirror.checked_at_ms);
    write_key(writer, "lastOk");
    writer.Int64(mirror.last_ok_ms);
    text("circuit", mirror.circuit);
    if (!full) {
        writer.EndObject();
        return;
    }
    write_key(writer, "circuitOpenUntil");
    writer.Int64(mirror.circuit_open_until_ms);
    write_key(writer, "checks");
    writer.StartObject();
    write_key(writer, "answered");
    writer.Uint64(mirror.checks_answered);
    write_key(writer, "failed");
    writer.Uint64(mirror.checks_failed);
    write_key(writer, "skipped");
    writer.Uint64(mirror.checks_skipped);
    writer.EndObject();
    writer.EndObject();
}

}  // namespace piotd::daemon
