// Everything the status page and its JSON show, gathered at one moment from the module, the lag
// history and the optional providers (status_providers.hpp). Rendering is separate and pure
// (status_page_html.hpp, status_page_json.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/status/lag_history.hpp"
#include "daemon/status/status_providers.hpp"
#include "protocol/lm/lm_status.hpp"

namespace piotd::daemon {

class LocalModule;

struct ListStatusRow {
    std::string name;
    std::optional<std::uint64_t> local_count;   // none: never loaded
    std::optional<std::uint64_t> server_count;  // none: no upstream contact yet
    // A snapshot load under way (or cut off, to be resumed): the items it committed so far.
    std::optional<std::uint64_t> loading;
    std::optional<std::int64_t> lag_ms;  // none: never synced
    std::int64_t last_sync_ms = 0;       // 0: never
    std::vector<LagSample> lag_history;  // oldest first
};

struct DataSize {
    std::uint64_t file_bytes = 0;  // data.mdb on disk
    std::uint64_t used_bytes = 0;  // pages in use (LMDB's last page number × page size)
    std::uint64_t map_bytes = 0;   // map size: the most the database may grow to
};

struct StatusSnapshot {
    std::int64_t now_ms = 0;
    protocol::LmStatus state = protocol::LmStatus::not_configured;
    std::string version;
    std::string inst;
    std::string name;
    std::int64_t last_sync_ms = 0;
    DataSize data;
    std::vector<ListStatusRow> lists;
    std::vector<UpstreamHealthSnapshot> upstreams;
    std::optional<OutboxStatus> outbox;                // none: not configured
    std::optional<std::vector<CdnHostStatus>> cdn;     // none: not configured
    std::optional<LmMirror> local_module;              // none: no [local_module] url
    std::optional<std::vector<DeviceStatus>> devices;  // none: not configured
    std::optional<std::vector<CheckRecord>> checks;    // none: not configured
};

inline constexpr std::size_t kStatusRecentChecks = 50;

StatusSnapshot gather_status(const LocalModule& module, const LagHistory& lag,
                             const StatusSources& sources);

// LMDB sizes of the module's environment.
DataSize data_size(const LocalModule& module);

// Replication lag now, per list (none: never synced); what LagHistory samples.
std::array<std::optional<std::int64_t>, storage::kAllLists.size()> current_lag(
    const LocalModule& module);

// Plain-language reason of a state: {Russian, English}.
struct StateReason {
    std::string_view ru;
    std::string_view en;
};
StateReason state_reason(protocol::LmStatus state);

}  // namespace piotd::daemon
