// The one LMDB environment of a data directory and its named databases.
#pragma once

#include <lmdb.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <vector>

namespace piotd::storage {

// Every named database piotd keeps. Black lists have two slots each: a new snapshot is loaded
// into the inactive slot and made visible by flipping one key in `meta` (see black_lists.hpp).
// Databases are opened by name (db_name()), so the enum order is not persisted: the slots and the
// change logs are laid out in ListName order because slot_db() and change_db() compute them. A
// data dir from before a database existed gets it created empty at the first read-write open.
enum class Db : std::uint8_t {
    meta,  // module state: inst, token, lastSync, active slots, filters ...
    blocked_cis_0,
    blocked_cis_1,
    blocked_gtin_0,
    blocked_gtin_1,
    blocked_series_0,  // key: GTIN14 + serial prefix
    blocked_series_1,
    min_price_0,  // key: GTIN14, value: uint32 kopecks (little endian)
    min_price_1,
    learned_0,  // key: КИ (like blocked_cis)
    learned_1,
    sold,  // key: КИ, value: SoldRecord
    // Change logs of the lists (storage/change_log.hpp): key seq (u64 big endian), value op
    // ('+' add, '-' remove) + the item's text form.
    changes_blocked_cis,
    changes_blocked_gtin,
    changes_blocked_series,
    changes_min_price,
    changes_learned,
    // The relay outbox (outbox.hpp): key seq (u64 big endian), value OutboxRecord; indexes.
    outbox,
    outbox_keys,     // key: document id (idempotency key), value: seq
    outbox_pending,  // key: seq, value: state byte (queued, rejected, checking)
    outbox_dead,     // key: seq
    outbox_done,     // key: seq (delivered, local): pruned oldest first
    check_journal,   // permissive-mode checks: key seq (u64 big endian), value JournalEntry
    // The newest online or local-module verdict of each code: key КИ, value the journal seq of
    // the entry that holds it (check_journal.hpp); pruned with that entry.
    check_verdicts,
    count
};

std::string_view db_name(Db db);

struct EnvironmentOptions {
    std::filesystem::path dir;
    std::size_t map_size = std::size_t{4} << 30;  // 4 GiB of address space; the file grows as used
    unsigned max_readers = 254;
    bool read_only = false;
};

// Owns MDB_env and the opened DBI handles. Thread-safe to share: LMDB allows any thread to run
// read transactions (MDB_NOTLS) while one writer at a time holds the write lock.
class Environment {
public:
    explicit Environment(const EnvironmentOptions& options);
    ~Environment();
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;

    MDB_env* handle() const { return env_; }
    MDB_dbi dbi(Db db) const { return dbis_[static_cast<std::size_t>(db)]; }
    const std::filesystem::path& dir() const { return dir_; }
    // Size of data.mdb on disk, bytes.
    std::size_t file_size() const;
    std::size_t map_size() const { return map_size_; }
    bool read_only() const { return read_only_; }
    // Drops this process's mappings of data.mdb pages (storage/mapped_pages.hpp); the pages stay
    // in the page cache. Safe while read transactions run: a page read again is a minor fault.
    void release_mapped_pages() const;

private:
    friend class ReadTxn;
    // Reset read transactions kept for reuse (see ReadTxn::pooled): renewing one skips the
    // allocation and the reader-table lock that a fresh mdb_txn_begin costs.
    MDB_txn* take_pooled_read() const;
    void return_pooled_read(MDB_txn* txn) const;

    MDB_env* env_ = nullptr;
    std::array<MDB_dbi, static_cast<std::size_t>(Db::count)> dbis_{};
    std::filesystem::path dir_;
    std::size_t map_size_ = 0;
    bool read_only_ = false;
    mutable std::mutex pool_mutex_;
    mutable std::vector<MDB_txn*> read_pool_;
};

}  // namespace piotd::storage
