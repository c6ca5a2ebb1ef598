// The running local module: the LMDB environment, the black lists and the module's own state,
// with the status the LM API reports. Shared by every handler; the hot path (status() and
// lists().lookup()) reads only atomics and immutable published data.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "daemon/checks/check_event.hpp"
#include "daemon/clock.hpp"
#include "daemon/config.hpp"
#include "daemon/lm/client_registry.hpp"
#include "protocol/lm/lm_status.hpp"
#include "storage/black_lists.hpp"
#include "storage/environment.hpp"
#include "storage/module_state.hpp"

namespace piotd::daemon {

class LocalModule {
public:
    // Opens (creating if needed) the data dir; gives the instance its `inst` UUID on first use.
    LocalModule(const Config& config, const Clock& clock);

    protocol::LmStatus status() const;
    storage::ModuleState state() const;
    const std::string& inst() const { return inst_; }
    // A True API token was stored by POST /init (one atomic load: for the hot path).
    bool has_token() const { return has_token_.load(std::memory_order_relaxed); }
    std::int64_t now_ms() const { return clock_.now_ms(); }
    const Config& config() const { return config_; }

    ClientRegistry& clients() const { return clients_; }

    // Told about every code checked (metrics, status page, journal). Set before the server starts.
    void set_check_observer(CheckObserver* observer) { check_observer_ = observer; }
    CheckObserver* check_observer() const { return check_observer_; }

    storage::Environment& env() { return *env_; }
    const storage::Environment& env() const { return *env_; }
    storage::BlackLists& lists() { return *lists_; }
    const storage::BlackLists& lists() const { return *lists_; }

    // POST /init: stores the token (never logged).
    void init(const std::string& token);
    // Items of `list` were committed by this or another process (import, replication): bumps
    // dbVersion so every process reloads. A full copy also counts as a sync.
    enum class Load { full, partial };
    void record_load(storage::ListName list, Load load);
    // Replication (docs/replication.md): a list is in step with the upstream, which holds
    // `server_doc_count` items. What the sync changed decides whether dbVersion moves.
    enum class Synced { unchanged, delta, snapshot };
    void record_list_synced(storage::ListName list, std::uint64_t server_doc_count, Synced what);
    // A round over every list succeeded: lastSync moves, and the module may become ready.
    void record_sync_round();
    // A replication round failed: the reason shows in /status as lastError until a round
    // succeeds (an operator sees a full disk or map without reading the log).
    void record_sync_error(std::string message);
    std::string sync_error() const;
    struct ListReplication {
        std::optional<std::uint64_t> server_doc_count;  // unknown before the first contact
        std::int64_t last_synced_ms = 0;                // 0: never
    };
    ListReplication replication(storage::ListName list) const;

    // --demo (README): seeds the demo items into every list that is empty (never `learned`),
    // keeps every list that holds items, and marks the module synced now. Returns what it did,
    // for the start log: "seeded blocked_gtin (2), min_price (2); kept blocked_cis (1113887
    // items, not demo data)".
    std::string start_demo();
    // Picks up changes another process (piotd import) committed: state and lists.
    void refresh();

private:
    void write_state(const storage::ModuleState& state);
    void cache(const storage::ModuleState& state);

    const Config& config_;
    const Clock& clock_;
    std::unique_ptr<storage::Environment> env_;
    std::unique_ptr<storage::BlackLists> lists_;
    std::string inst_;

    mutable ClientRegistry clients_;
    CheckObserver* check_observer_ = nullptr;
    mutable std::mutex state_mutex_;
    storage::ModuleState state_;
    std::array<ListReplication, storage::kAllLists.size()> replication_{};
    std::string sync_error_;  // guarded by state_mutex_
    std::atomic<bool> configured_{false};
    std::atomic<bool> has_token_{false};
    std::atomic<bool> lists_loaded_{false};
    std::atomic<std::int64_t> last_sync_ms_{0};
};

}  // namespace piotd::daemon
