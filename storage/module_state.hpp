// The module's own state kept in `meta`: identity, token, sync times. Read whole, written whole.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "storage/environment.hpp"
#include "storage/list_name.hpp"
#include "storage/transaction.hpp"

namespace piotd::storage {

struct ModuleState {
    std::string inst;   // instance UUID, created once per data dir
    std::string token;  // X-API-KEY from init; never logged
    std::string inn;
    std::string db_version;           // UUID, changes with every committed list change
    std::int64_t last_sync_ms = 0;    // last successful sync (72 h rule)
    std::int64_t last_update_ms = 0;  // last time a replication/import started
    bool lists_loaded = false;        // every required list has had a full snapshot
    // Per ListName (index = enum value): when its last full copy was loaded, 0 = never.
    // Stored as "loaded/<list>"; a list newer than the data dir reads as 0.
    std::array<std::int64_t, kAllLists.size()> loaded_ms{};
    bool demo = false;  // seeded by --demo
};

ModuleState read_module_state(const ReadTxn& txn);
void write_module_state(WriteTxn& txn, const ModuleState& state);

}  // namespace piotd::storage
