#include "daemon/status/status_page_json.hpp"

#include "daemon/lm_upstream/lm_mirror_json.hpp"
#include "daemon/status/html_text.hpp"
#include "protocol/json/json_writer.hpp"

namespace piotd::daemon {

namespace {

using protocol::JsonWriter;
using protocol::write_key;
using protocol::write_string;

template <typename T>
void write_optional(JsonWriter& w, std::string_view key, const std::optional<T>& value) {
    write_key(w, key);
    if (!value) {
        w.Null();
    } else if constexpr (std::is_same_v<T, double>) {
        w.Double(*value);
    } else if constexpr (std::is_signed_v<T>) {
        w.Int64(*value);
    } else {
        w.Uint64(*value);
    }
}

void write_upstream(JsonWriter& w, const UpstreamHealthSnapshot& u) {
    w.StartObject();
    write_key(w, "name");
    write_string(w, u.name);
    write_key(w, "url");
    write_string(w, u.url);
    write_key(w, "lastOk");
    w.Int64(u.last_ok_ms);
    write_key(w, "lastError");
    w.Int64(u.last_error_ms);
    write_key(w, "lastErrorText");
    write_string(w, utf8_sanitized(u.last_error));
    write_key(w, "consecutiveErrors");
    w.Uint64(u.consecutive_errors);
    write_key(w, "errors");
    w.StartObject();
    for (const auto& [kind, count] : u.errors_by_kind) {
        write_key(w, kind);
        w.Uint64(count);
    }
    w.EndObject();
    w.EndObject();
}

// The mirror with every string made valid UTF-8: the LM's fields and its error texts are hostile
// input, and RapidJSON's writer does not validate what it writes.
LmMirror sanitized(LmMirror mirror) {
    const auto clean = [](std::string& text) { text = utf8_sanitized(text); };
    clean(mirror.url);
    clean(mirror.api_version);
    clean(mirror.last_error);
    clean(mirror.circuit);
    if (mirror.status) {
        protocol::LmClientStatus& s = *mirror.status;
        for (std::string* text : {&s.status, &s.name, &s.version, &s.inst, &s.inn, &s.db_version,
                                  &s.service_url, &s.operation_mode}) {
            clean(*text);
        }
        for (protocol::LmListCounts& list : s.lists) clean(list.name);
    }
    return mirror;
}

}  // namespace

std::string render_status_json(const StatusSnapshot& s) {
    protocol::JsonBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    write_key(w, "now");
    w.Int64(s.now_ms);
    write_key(w, "state");
    write_string(w, protocol::lm_status_name(s.state));
    const StateReason reason = state_reason(s.state);
    write_key(w, "reason");
    w.StartObject();
    write_key(w, "ru");
    write_string(w, reason.ru);
    write_key(w, "en");
    write_string(w, reason.en);
    w.EndObject();
    write_key(w, "name");
    write_string(w, s.name);
    write_key(w, "version");
    write_string(w, s.version);
    write_key(w, "inst");
    write_string(w, s.inst);
    write_key(w, "lastSync");
    w.Int64(s.last_sync_ms);
    write_key(w, "data");
    w.StartObject();
    write_key(w, "fileBytes");
    w.Uint64(s.data.file_bytes);
    write_key(w, "usedBytes");
    w.Uint64(s.data.used_bytes);
    write_key(w, "mapBytes");
    w.Uint64(s.data.map_bytes);
    w.EndObject();

    write_key(w, "lists");
    w.StartArray();
    for (const ListStatusRow& row : s.lists) {
        w.StartObject();
        write_key(w, "name");
        write_string(w, row.name);
        write_optional(w, "localCount", row.local_count);
        write_optional(w, "serverCount", row.server_count);
        write_optional(w, "loading", row.loading);
        write_optional(w, "lagMs", row.lag_ms);
        write_key(w, "lastSync");
        w.Int64(row.last_sync_ms);
        w.EndObject();
    }
    w.EndArray();

    write_key(w, "upstreams");
    w.StartArray();
    for (const UpstreamHealthSnapshot& u : s.upstreams) write_upstream(w, u);
    w.EndArray();

    write_key(w, "outbox");
    if (!s.outbox) {
        w.Null();
    } else {
        w.StartObject();
        write_key(w, "queued");
        w.Uint64(s.outbox->queued);
        write_optional(w, "oldestAgeMs", s.outbox->oldest_age_ms);
        write_key(w, "deadLetters");
        w.Uint64(s.outbox->dead_letters);
        write_key(w, "warnings");
        w.StartArray();
        for (const std::string& warning : s.outbox->warnings) write_string(w, warning);
        w.EndArray();
        w.EndObject();
    }

    write_key(w, "cdn");
    if (!s.cdn) {
        w.Null();
    } else {
        w.StartArray();
        for (const CdnHostStatus& host : *s.cdn) {
            w.StartObject();
            write_key(w, "host");
            write_string(w, host.host);
            write_optional(w, "avgTimeMs", host.avg_time_ms);
            write_key(w, "blocked");
            w.Bool(host.blocked);
            write_key(w, "blockedUntil");
            w.Int64(host.blocked_until_ms);
            w.EndObject();
        }
        w.EndArray();
    }

    // The same object as GET /api/v1/status's localModule (docs/local-module.md).
    write_key(w, "localModule");
    if (!s.local_module) {
        w.Null();
    } else {
        write_lm_mirror(w, sanitized(*s.local_module));
    }

    write_key(w, "devices");
    if (!s.devices) {
        w.Null();
    } else {
        w.StartArray();
        for (const DeviceStatus& device : *s.devices) {
            w.StartObject();
            write_key(w, "kind");
            write_string(w, device.kind);
            write_key(w, "name");
            write_string(w, utf8_sanitized(device.name));
            write_key(w, "state");
            write_string(w, device.state);
            write_key(w, "detail");
            write_string(w, utf8_sanitized(device.detail));
            w.EndObject();
        }
        w.EndArray();
    }

    write_key(w, "checks");
    if (!s.checks) {
        w.Null();
    } else {
        w.StartArray();
        for (const CheckRecord& check : *s.checks) {
            w.StartObject();
            write_key(w, "time");
            w.Int64(check.time_ms);
            write_key(w, "source");
            write_string(w, check.source);
            // Codes may hold invalid UTF-8 (hostile input); RapidJSON's writer does not validate.
            write_key(w, "code");
            write_string(w, utf8_sanitized(check.code));
            write_key(w, "verdict");
            write_string(w, check_verdict_name(check.verdict));
            write_key(w, "durationNs");
            w.Uint64(check.duration_ns);
            w.EndObject();
        }
        w.EndArray();
    }
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace piotd::daemon
