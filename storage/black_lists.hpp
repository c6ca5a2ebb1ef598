// The black lists and the local sold set, and the hot-path lookup of a code against all of them.
//
// Source of truth is LMDB. For speed the lookup consults in-memory structures first:
//   blocked_cis   KeyFilter (persisted in `meta` per slot) -> LMDB get only on "maybe"
//   blocked_gtin, blocked_series, min_price   small: mirrored whole in an immutable index
//   learned       KeyFilter rebuilt on open and extended on every add -> LMDB get on "maybe";
//                 skipped without a probe while the list is empty
//   sold          KeyFilter rebuilt on open and extended on every sale -> LMDB get on "maybe"
// The in-memory state is an immutable Published object swapped after each committed change;
// readers pick it up through a generation counter (one atomic load per lookup, no lock).
//
// Each list has two slots. A snapshot is written into the inactive slot in batched transactions
// and made visible by one transaction that flips `active/<list>` (with the new filter), so a
// check never sees a half-loaded list, and a crash mid-load leaves the old list in place.
//
// Filters and crashes (the rule is spelled out in list_slots.hpp): add() sets the filter bits
// before the caller commits, so a committed key is never hidden by the filter. The persisted
// blocked_cis filter carries a stamp that every addition replaces, so after kill -9 a filter
// that misses an addition is recognised as stale and rebuilt by a scan at open (then persisted
// again). It is written at every snapshot flip, after such a rebuild and by persist_filter().
//
// Replication (docs/replication.md): every effective add()/remove() is logged in the list's
// change log in the same transaction, and a flip starts a new epoch (change_log.hpp); the client
// side keeps its cursor and snapshot progress in `meta` (replication_cursor.hpp).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codes/marking_code.hpp"
#include "protocol/documents/replication_feed.hpp"
#include "storage/change_log.hpp"
#include "storage/environment.hpp"
#include "storage/list_item.hpp"
#include "storage/list_name.hpp"
#include "storage/list_version.hpp"
#include "storage/replication_cursor.hpp"
#include "storage/snapshot_writer.hpp"
#include "storage/sold_record.hpp"
#include "storage/transaction.hpp"

namespace piotd::storage {

struct CodeStatus {
    bool cis_blocked = false;
    bool gtin_blocked = false;
    bool series_blocked = false;
    bool sold = false;
    bool learned_blocked = false;  // the КИ is on `learned` (the store's LM or True API said so)
    std::optional<std::uint32_t> min_price;  // smp, kopecks, when min_price has the GTIN

    bool blocked() const {
        return cis_blocked || gtin_blocked || series_blocked || learned_blocked;
    }
};

// What apply_changes() did with a page of upstream changes.
struct ApplyResult {
    std::size_t applied = 0;    // changed the list (and were logged)
    std::size_t unchanged = 0;  // already so: at or below the cursor, an add of a present item,
                                // a remove of a missing one
    std::size_t rejected = 0;   // items parse_list_item refused; skipped
    std::string first_error;    // why the first rejected item was refused
};

struct Published;  // defined in black_lists.cpp

class BlackLists {
public:
    explicit BlackLists(Environment& env);
    ~BlackLists();
    BlackLists(const BlackLists&) = delete;
    BlackLists& operator=(const BlackLists&) = delete;

    // Thread-safe. Lock-free and LMDB-free when no filter says "maybe".
    CodeStatus lookup(const protocol::MarkingCode& code) const;
    // Same, by КИ (used when the caller has only the identification code).
    CodeStatus lookup_ki(std::string_view ki) const;

    // Items in the active slot of `list`.
    std::size_t count(ListName list) const;
    std::size_t sold_count() const;

    // ---- writers: one at a time (the caller serialises them) ----

    // Starts replacing `list` whole. Items go into the inactive slot; finish() flips it.
    SnapshotWriter begin_snapshot(ListName list, std::size_t expected_items = 0);
    // The same with a source (resumable, see snapshot_writer.hpp) and a batch size.
    SnapshotWriter begin_snapshot(ListName list, const SnapshotOptions& options);

    // Incremental change of the active slot inside the caller's transaction. Call publish()
    // after the transaction commits (and not at all if it aborts). Only effective changes are
    // made and logged in the change log (change_log.hpp): add() of an item that is there with
    // the same value, and remove() of a missing key, write nothing. Both return whether they
    // changed the list.
    bool add(WriteTxn& txn, ListName list, const ListItem& item);
    bool remove(WriteTxn& txn, ListName list, std::string_view key);

    // ---- replication, serving side (docs/replication.md) ----

    // Epoch, seq, oldest seq and item count of `list`, from one read transaction.
    ListVersion version(ListName list) const;
    // Up to `limit` logged changes with seq > `since`, or snapshot_required when the log cannot
    // bring a client at (epoch, since) up to date.
    ChangeRead changes_since(ListName list, std::string_view epoch, std::uint64_t since,
                             std::size_t limit) const;
    // Entries the change log of each list keeps at most (kChangeLogRetention unless set). Not
    // thread-safe against writers running: set it before they start.
    void set_change_log_retention(std::size_t entries) { retention_ = entries; }

    // ---- replication, client side ----

    // Where `list` stands against its upstream (meta cursor/<list>).
    std::optional<ReplicationCursor> cursor(ListName list) const;
    // A sourced snapshot load that was not finished (meta snapshot/<list>).
    std::optional<SnapshotProgress> snapshot_progress(ListName list) const;
    // Applies a page of upstream changes and `new_cursor` in one write transaction, commits and
    // publishes. Idempotent: a change at or below the stored cursor's seq (same epoch) is
    // skipped as applied, and an add of a present item or a remove of a missing one changes
    // nothing. Unparseable items are counted and skipped (logging them is the caller's job).
    // Throws StorageError (LMDB) or std::invalid_argument (a malformed cursor epoch); then
    // nothing of the page is committed.
    ApplyResult apply_changes(ListName list, const std::vector<protocol::Change>& changes,
                              const ReplicationCursor& new_cursor);

    // Local sold set: `units` counts partial sales (0 = the whole unit). Marking a code again
    // adds its units to the record (a whole-unit record stays whole); time is the sale time.
    void mark_sold(WriteTxn& txn, std::string_view ki, std::uint32_t units = 0);
    void mark_sold(WriteTxn& txn, std::string_view ki, std::uint32_t units, std::int64_t time_ms);
    bool unmark_sold(WriteTxn& txn, std::string_view ki);
    // The committed record of a sold КИ (reads LMDB: not for the hot path).
    std::optional<SoldRecord> sold_record(std::string_view ki) const;

    // Makes committed changes visible to lookup(): rebuilds the small indexes and counters.
    void publish();

    // Writes the in-memory blocked_cis filter to `meta` when the persisted one is stale (after
    // add() deltas), so the next open needs no scan. Opens its own write transaction: call it
    // with no write transaction open on this thread, e.g. at shutdown. No-op when read-only.
    void persist_filter();

    Environment& env() const { return env_; }

private:
    friend class SnapshotWriter;
    struct FilterState;  // writer side: which stamps the live filters cover (black_lists.cpp)

    std::shared_ptr<const Published> current() const;
    // The calling thread's cached Published: one atomic load when nothing changed. The
    // reference is valid until this thread's next call.
    const Published& cached() const;
    void reload();  // builds a Published from LMDB (open, after a snapshot flip, publish())
    Db active_db(ListName list) const;
    enum class Filtered : std::uint8_t { cis, sold, learned };
    void note_filtered_add(WriteTxn& txn, Filtered which, unsigned slot, std::string_view key);
    void check_keyed(const Published& p, std::string_view ki, CodeStatus& status) const;
    // `force`: write even if the stored blob carries the current stamp (it failed to decode).
    void write_filter(bool force);

    Environment& env_;
    mutable std::mutex publish_mutex_;
    std::shared_ptr<const Published> published_;
    std::atomic<std::uint64_t> generation_{0};  // unique across instances (thread-local caches)
    std::mutex filters_mutex_;  // guards filters_; never held while waiting for LMDB
    std::unique_ptr<FilterState> filters_;
    std::size_t retention_ = kChangeLogRetention;
};

}  // namespace piotd::storage
