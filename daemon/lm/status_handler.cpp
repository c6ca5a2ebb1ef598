#include "daemon/lm/status_handler.hpp"

#include <array>
#include <string>
#include <vector>

#include "daemon/http/json_response.hpp"
#include "daemon/lm_upstream/lm_mirror_json.hpp"
#include "daemon/version.hpp"
#include "protocol/lm/lm_status_answer.hpp"

namespace piotd::daemon {

Response handle_status(const LocalModule& module, protocol::LmApiVersion api,
                       const LocalModuleStatusProvider* upstream_lm, StatusView view) {
    const bool full = view == StatusView::full;
    const storage::ModuleState state = module.state();
    const auto& lists = module.lists();
    const auto local = [&](storage::ListName list) -> std::optional<std::uint64_t> {
        // learned grows from checks rather than from a full copy: it is known from the start.
        if (list != storage::ListName::learned &&
            state.loaded_ms[static_cast<std::size_t>(list)] == 0) {
            return std::nullopt;
        }
        return lists.count(list);
    };
    // Until replication has talked to a server, its counters and lag are "unknown" (§3.2).
    const std::int64_t now = module.now_ms();
    const auto entry = [&](std::string_view name, storage::ListName list) {
        const LocalModule::ListReplication r = module.replication(list);
        protocol::ReplicationEntry e{name, std::nullopt, r.server_doc_count, local(list)};
        if (r.last_synced_ms != 0) e.time_lag_ms = now - r.last_synced_ms;
        return e;
    };
    // "cis" is a list of the real local module that piotd does not keep. min_price and learned
    // are piotd's additions to the LM's shape.
    const std::array<protocol::ReplicationEntry, 6> replication = {{
        {"cis", std::nullopt, std::nullopt, std::nullopt},
        entry("blocked_gtin", storage::ListName::blocked_gtin),
        entry("blocked_cis", storage::ListName::blocked_cis),
        entry("blocked_series", storage::ListName::blocked_series),
        entry("min_price", storage::ListName::min_price),
        entry("learned", storage::ListName::learned),
    }};

    protocol::LmStatusAnswer answer;
    answer.name = module.config().name;
    answer.version = kVersion;
    answer.status = module.status();
    answer.inst = module.inst();
    answer.inn = state.inn.empty() ? std::string_view(module.config().inn) : state.inn;
    answer.db_version = state.db_version;
    answer.service_url = module.config().service_url.empty()
                             ? std::string_view(module.config().upstream_url)
                             : std::string_view(module.config().service_url);
    answer.last_sync_ms = state.last_sync_ms;
    answer.last_update_ms = state.last_update_ms;
    answer.requires_download = !state.lists_loaded;
    answer.replication = replication;
    // Only for a client with credentials (see StatusView).
    std::vector<ClientSeen> seen;
    std::vector<protocol::ClientEntry> clients;
    std::string last_error;
    if (full) {
        seen = module.clients().snapshot();
        clients.reserve(seen.size());
        for (const ClientSeen& client : seen) {
            clients.push_back({client.id, client.requests, client.last_seen_ms});
        }
        answer.clients = clients;
        last_error = module.sync_error();
        answer.last_error = last_error;
    }
    std::string local_module_json;
    if (upstream_lm != nullptr) {
        protocol::JsonBuffer mirror;
        protocol::JsonWriter mirror_writer(mirror);
        write_lm_mirror(mirror_writer, upstream_lm->local_module(),
                        full ? LmMirrorView::full : LmMirrorView::health);
        local_module_json.assign(mirror.GetString(), mirror.GetSize());
        answer.local_module_json = local_module_json;
    }

    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    protocol::write_status_answer(writer, answer, api);
    return json_response(http::status::ok, std::string(buffer.GetString(), buffer.GetSize()));
}

}  // namespace piotd::daemon
