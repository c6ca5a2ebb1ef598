#include "storage/module_state.hpp"

#include <charconv>
#include <string_view>

#include "storage/list_name.hpp"

namespace piotd::storage {

namespace {

std::string text(const ReadTxn& txn, std::string_view key) {
    const auto value = txn.get(Db::meta, key);
    return value ? std::string(*value) : std::string();
}

// Integers are decimal text so `mdb_dump` output is readable; a value that does not parse
// (never written by piotd) reads as 0 rather than taking the daemon down.
std::int64_t integer(const ReadTxn& txn, std::string_view key) {
    const auto value = txn.get(Db::meta, key);
    if (!value) return 0;
    std::int64_t n = 0;
    const char* end = value->data() + value->size();
    const auto [ptr, ec] = std::from_chars(value->data(), end, n);
    return ec == std::errc{} && ptr == end ? n : 0;
}

std::string loaded_key(ListName list) {
    return "loaded/" + std::string(list_name(list));
}

}  // namespace

ModuleState read_module_state(const ReadTxn& txn) {
    ModuleState state;
    state.inst = text(txn, "inst");
    state.token = text(txn, "token");
    state.inn = text(txn, "inn");
    state.db_version = text(txn, "db_version");
    state.last_sync_ms = integer(txn, "last_sync_ms");
    state.last_update_ms = integer(txn, "last_update_ms");
    state.lists_loaded = integer(txn, "lists_loaded") != 0;
    for (const ListName list : kAllLists) {
        state.loaded_ms[static_cast<std::size_t>(list)] = integer(txn, loaded_key(list));
    }
    state.demo = integer(txn, "demo") != 0;
    return state;
}

void write_module_state(WriteTxn& txn, const ModuleState& state) {
    txn.put(Db::meta, "inst", state.inst);
    txn.put(Db::meta, "token", state.token);
    txn.put(Db::meta, "inn", state.inn);
    txn.put(Db::meta, "db_version", state.db_version);
    txn.put(Db::meta, "last_sync_ms", std::to_string(state.last_sync_ms));
    txn.put(Db::meta, "last_update_ms", std::to_string(state.last_update_ms));
    txn.put(Db::meta, "lists_loaded", state.lists_loaded ? "1" : "0");
    for (const ListName list : kAllLists) {
        txn.put(Db::meta, loaded_key(list),
                std::to_string(state.loaded_ms[static_cast<std::size_t>(list)]));
    }
    txn.put(Db::meta, "demo", state.demo ? "1" : "0");
}

}  // namespace piotd::storage
