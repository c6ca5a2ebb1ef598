// The local module's /status answer (lm-api.md §3.2, §4, Appendix A). Counters that are not
// known yet are the string "unknown", exactly as the real module sends them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "protocol/json/json_writer.hpp"
#include "protocol/lm/lm_check_answer.hpp"
#include "protocol/lm/lm_status.hpp"

namespace piotd::protocol {

struct ReplicationEntry {
    std::string_view list;  // "cis", "blocked_gtin", "blocked_cis", "blocked_series", "min_price"
    std::optional<std::int64_t> time_lag_ms;
    std::optional<std::uint64_t> server_doc_count;
    std::optional<std::uint64_t> local_doc_count;
};

// piotd's addition: the POS clients seen by their X-ClientId header.
struct ClientEntry {
    std::string_view id;
    std::uint64_t requests = 0;
    std::int64_t last_seen_ms = 0;
};

struct LmStatusAnswer {
    std::string_view name;
    std::string_view version;
    LmStatus status = LmStatus::not_configured;
    std::string_view operation_mode = "active";
    std::string_view inst;
    std::string_view inn;
    std::string_view db_version;
    std::string_view service_url;
    std::int64_t last_sync_ms = 0;
    std::int64_t last_update_ms = 0;
    bool requires_download = false;
    bool is_grey_gtin = false;
    std::span<const ReplicationEntry> replication;
    std::span<const ClientEntry> clients;  // written only when not empty
    // piotd's addition: why the last replication round failed (a full disk, a full map, an
    // unreachable upstream); written only when not empty, cleared by the next good round.
    std::string_view last_error;
    // piotd's addition in front of a local module: the `localModule` object (the LM's mirrored
    // status, docs/local-module.md), already JSON; written only when not empty.
    std::string_view local_module_json;
};

// v1: the fields of §3.2 with replicationStatus. v2: the same plus dbState (§4).
void write_status_answer(JsonWriter& writer, const LmStatusAnswer& answer, LmApiVersion api);

}  // namespace piotd::protocol
