#include "daemon/lm/status_handler.hpp"

#include <array>
#include <vector>

#include "daemon/http/json_response.hpp"
#include "daemon/version.hpp"
#include "protocol/lm_status_answer.hpp"

namespace piotd::daemon {

Response handle_status(const LocalModule& module, protocol::LmApiVersion api) {
    const storage::ModuleState state = module.state();
    const auto& lists = module.lists();
    const auto local = [&](storage::ListName list) -> std::optional<std::uint64_t> {
        if (state.loaded_ms[static_cast<std::size_t>(list)] == 0) return std::nullopt;
        return lists.count(list);
    };
    // Until replication talks to a server, its counters and lag are "unknown" (lm-api.md §3.2).
    const std::array<protocol::ReplicationEntry, 5> replication = {{
        {"cis", std::nullopt, std::nullopt, std::nullopt},
        {"blocked_gtin", std::nullopt, std::nullopt, local(storage::ListName::blocked_gtin)},
        {"blocked_cis", std::nullopt, std::nullopt, local(storage::ListName::blocked_cis)},
        {"blocked_series", std::nullopt, std::nullopt, local(storage::ListName::blocked_series)},
        {"min_price", std::nullopt, std::nullopt, local(storage::ListName::min_price)},
    }};

    protocol::LmStatusAnswer answer;
    answer.name = module.config().name;
    answer.version = kVersion;
    answer.status = module.status();
    answer.inst = module.inst();
    answer.inn = state.inn.empty() ? std::string_view(module.config().inn) : state.inn;
    answer.db_version = state.db_version;
    answer.service_url = module.config().service_url;
    answer.last_sync_ms = state.last_sync_ms;
    answer.last_update_ms = state.last_update_ms;
    answer.requires_download = !state.lists_loaded;
    answer.replication = replication;
    const std::vector<ClientSeen> seen = module.clients().snapshot();
    std::vector<protocol::ClientEntry> clients;
    clients.reserve(seen.size());
    for (const ClientSeen& client : seen) {
        clients.push_back({client.id, client.requests, client.last_seen_ms});
    }
    answer.clients = clients;

    rapidjson::StringBuffer buffer;
    protocol::JsonWriter writer(buffer);
    protocol::write_status_answer(writer, answer, api);
    return json_response(http::status::ok, std::string(buffer.GetString(), buffer.GetSize()));
}

}  // namespace piotd::daemon
