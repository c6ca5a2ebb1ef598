#include "daemon/local_module.hpp"

#include <set>
#include <stdexcept>
#include <string>

#include "daemon/demo_data.hpp"
#include "daemon/log.hpp"
#include "protocol/text/uuid.hpp"
#include "storage/list_item.hpp"
#include "storage/list_name.hpp"
#include "storage/snapshot_reader.hpp"
#include "storage/transaction.hpp"

namespace piotd::daemon {

namespace {

// The lists a module needs before it may answer checks. The LM replicates more, but without
// these two a black-list check would silently pass codes that are blocked.
bool required_lists_loaded(const storage::ModuleState& state) {
    return state.loaded_ms[static_cast<std::size_t>(storage::ListName::blocked_cis)] != 0 &&
           state.loaded_ms[static_cast<std::size_t>(storage::ListName::blocked_gtin)] != 0;
}

storage::EnvironmentOptions environment_options(const Config& config) {
    storage::EnvironmentOptions options;
    options.dir = config.data_dir;
    options.map_size = config.map_size_mb << 20;
    return options;
}

// Whether `list` holds exactly the demo items: a data dir an earlier --demo start seeded. Only
// lists of the demo's size are read (a few items).
bool holds_demo_items(const storage::BlackLists& lists, storage::ListName list) {
    const auto demo = demo_list(list);
    if (lists.count(list) != demo.size()) return false;
    std::set<std::string> expected;
    for (const std::string_view line : demo) {
        const auto parsed = storage::parse_list_item(list, line);
        if (!parsed.ok) return false;
        expected.insert(storage::format_list_item(list, parsed.item.key, parsed.item.value));
    }
    storage::SnapshotReader reader(lists, list);
    std::string item;
    std::size_t matched = 0;
    while (reader.next(item)) {
        if (!expected.contains(item)) return false;
        ++matched;
    }
    return matched == expected.size();
}

}  // namespace

LocalModule::LocalModule(const Config& config, const Clock& clock)
    : config_(config),
      clock_(clock),
      env_(std::make_unique<storage::Environment>(environment_options(config))),
      lists_(std::make_unique<storage::BlackLists>(*env_)) {
    storage::ModuleState state;
    {
        storage::ReadTxn txn(*env_);
        state = storage::read_module_state(txn);
    }
    if (state.inst.empty()) {
        state.inst = protocol::random_uuid();
        if (state.db_version.empty()) state.db_version = protocol::random_uuid();
        write_state(state);
    }
    inst_ = state.inst;
    cache(state);
}

void LocalModule::cache(const storage::ModuleState& state) {
    std::lock_guard lock(state_mutex_);
    state_ = state;
    // A till that replicates from an upstream piotd needs no CRPT token of its own.
    configured_.store(!state.token.empty() || config_.demo || !config_.upstream_url.empty(),
                      std::memory_order_relaxed);
    has_token_.store(!state.token.empty(), std::memory_order_relaxed);
    lists_loaded_.store(state.lists_loaded, std::memory_order_relaxed);
    last_sync_ms_.store(state.last_sync_ms, std::memory_order_relaxed);
}

void LocalModule::write_state(const storage::ModuleState& state) {
    storage::WriteTxn txn(*env_);
    storage::write_module_state(txn, state);
    txn.commit();
}

protocol::LmStatus LocalModule::status() const {
    protocol::LmStatusInputs inputs;
    inputs.configured = configured_.load(std::memory_order_relaxed);
    inputs.lists_loaded = lists_loaded_.load(std::memory_order_relaxed);
    inputs.last_sync_ms = last_sync_ms_.load(std::memory_order_relaxed);
    return protocol::evaluate_lm_status(inputs, clock_.now_ms());
}

storage::ModuleState LocalModule::state() const {
    std::lock_guard lock(state_mutex_);
    return state_;
}

void LocalModule::init(const std::string& token) {
    storage::ModuleState state = this->state();
    state.token = token;
    write_state(state);
    cache(state);
    log_info("module", "initialised with a new token");
}

void LocalModule::record_load(storage::ListName list, Load load) {
    storage::ModuleState state = this->state();
    const std::int64_t now = clock_.now_ms();
    if (load == Load::full) {
        state.loaded_ms[static_cast<std::size_t>(list)] = now;
        state.lists_loaded = required_lists_loaded(state);
        state.last_sync_ms = now;
    }
    state.last_update_ms = now;
    state.db_version = protocol::random_uuid();
    write_state(state);
    cache(state);
}

void LocalModule::record_list_synced(storage::ListName list, std::uint64_t server_doc_count,
                                     Synced what) {
    const std::int64_t now = clock_.now_ms();
    {
        std::lock_guard lock(state_mutex_);
        auto& entry = replication_[static_cast<std::size_t>(list)];
        entry.server_doc_count = server_doc_count;
        entry.last_synced_ms = now;
    }
    if (what == Synced::unchanged) return;
    storage::ModuleState state = this->state();
    if (what == Synced::snapshot) state.loaded_ms[static_cast<std::size_t>(list)] = now;
    state.last_update_ms = now;
    state.db_version = protocol::random_uuid();
    write_state(state);
    cache(state);
}

void LocalModule::record_sync_round() {
    storage::ModuleState state = this->state();
    const std::int64_t now = clock_.now_ms();
    state.last_sync_ms = now;
    state.lists_loaded = required_lists_loaded(state);
    write_state(state);
    cache(state);
    std::lock_guard lock(state_mutex_);
    sync_error_.clear();
}

void LocalModule::record_sync_error(std::string message) {
    std::lock_guard lock(state_mutex_);
    sync_error_ = std::move(message);
}

std::string LocalModule::sync_error() const {
    std::lock_guard lock(state_mutex_);
    return sync_error_;
}

LocalModule::ListReplication LocalModule::replication(storage::ListName list) const {
    std::lock_guard lock(state_mutex_);
    return replication_[static_cast<std::size_t>(list)];
}

std::string LocalModule::start_demo() {
    storage::ModuleState state = this->state();
    const std::int64_t now = clock_.now_ms();
    std::string seeded;
    std::string kept;
    const auto append = [](std::string& to, const std::string& part) {
        to += (to.empty() ? "" : ", ") + part;
    };
    for (const storage::ListName list : storage::kAllLists) {
        // What the checks learned from the store's LM or the True API: never demo data.
        if (list == storage::ListName::learned) continue;
        const std::string name(storage::list_name(list));
        // A list that holds items is never replaced: it may be a real one (imported or
        // replicated), and the demo must not destroy it.
        if (const std::size_t items = lists_->count(list); items > 0) {
            append(kept,
                   name + " (" + std::to_string(items) + (items == 1 ? " item, " : " items, ") +
                       (holds_demo_items(*lists_, list) ? "demo data" : "not demo data") + ")");
            continue;
        }
        const auto demo = demo_list(list);
        auto writer = lists_->begin_snapshot(list);
        for (const std::string_view line : demo) {
            const auto parsed = storage::parse_list_item(list, line);
            if (!parsed.ok) throw std::logic_error("bad demo item: " + parsed.error);
            writer.add(parsed.item);
        }
        writer.finish();
        state.loaded_ms[static_cast<std::size_t>(list)] = now;
        append(seeded, name + " (" + std::to_string(demo.size()) + ")");
    }
    if (!seeded.empty()) state.db_version = protocol::random_uuid();
    state.demo = true;
    // A demo module has no upstream; it counts as freshly synced at every start.
    state.lists_loaded = true;
    state.last_sync_ms = now;
    state.last_update_ms = now;
    write_state(state);
    cache(state);
    return (seeded.empty() ? std::string("seeded no list") : "seeded " + seeded) +
           (kept.empty() ? "" : "; kept " + kept);
}

void LocalModule::refresh() {
    storage::ModuleState fresh;
    {
        storage::ReadTxn txn(*env_);
        fresh = storage::read_module_state(txn);
    }
    const storage::ModuleState known = state();
    if (fresh.db_version != known.db_version) lists_->publish();
    cache(fresh);
}

}  // namespace piotd::daemon
