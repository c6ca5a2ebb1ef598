// The black lists and the local sold set, and the hot-path lookup of a code against all of them.
//
// Source of truth is LMDB. For speed the lookup consults in-memory structures first:
//   blocked_cis   KeyFilter (persisted in `meta` per slot) -> LMDB get only on "maybe"
//   blocked_gtin, blocked_series, min_price   small: mirrored whole in an immutable index
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

#include "protocol/marking_code.hpp"
#include "storage/environment.hpp"
#include "storage/list_item.hpp"
#include "storage/list_name.hpp"
#include "storage/sold_record.hpp"
#include "storage/transaction.hpp"

namespace piotd::storage {

struct CodeStatus {
    bool cis_blocked = false;
    bool gtin_blocked = false;
    bool series_blocked = false;
    bool sold = false;
    std::optional<std::uint32_t> min_price;  // smp, kopecks, when min_price has the GTIN

    bool blocked() const { return cis_blocked || gtin_blocked || series_blocked; }
};

struct Published;  // defined in black_lists.cpp

class SnapshotWriter;

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

    // Incremental change of the active slot inside the caller's transaction. Call publish()
    // after the transaction commits (and not at all if it aborts).
    void add(WriteTxn& txn, ListName list, const ListItem& item);
    bool remove(WriteTxn& txn, ListName list, std::string_view key);

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
    Db inactive_db(ListName list) const;
    void note_filtered_add(WriteTxn& txn, bool sold, unsigned slot, std::string_view key);
    void check_keyed(const Published& p, std::string_view ki, CodeStatus& status) const;
    // `force`: write even if the stored blob carries the current stamp (it failed to decode).
    void write_filter(bool force);

    Environment& env_;
    mutable std::mutex publish_mutex_;
    std::shared_ptr<const Published> published_;
    std::atomic<std::uint64_t> generation_{0};  // unique across instances (thread-local caches)
    std::mutex filters_mutex_;  // guards filters_; never held while waiting for LMDB
    std::unique_ptr<FilterState> filters_;
};

// Writes a whole list into the inactive slot in batches of kBatchSize items per transaction.
// Items are buffered and each batch is written by one short transaction, so the LMDB write lock
// is never held while the caller waits for the next item (a download, a file): other writers
// (sales, state) are delayed by one batch write at most.
class SnapshotWriter {
public:
    SnapshotWriter(SnapshotWriter&&) noexcept;
    SnapshotWriter& operator=(SnapshotWriter&&) = delete;
    ~SnapshotWriter();

    void add(const ListItem& item);
    std::size_t added() const { return added_; }
    // Commits the last batch and flips the active slot; the new list is visible on return.
    void finish();

    static constexpr std::size_t kBatchSize = 50'000;

private:
    friend class BlackLists;
    SnapshotWriter(BlackLists& lists, ListName list, std::size_t expected_items);
    void flush_batch();
    // Writes the buffered items in one transaction; with `flip`, also switches the list to them.
    void write_batch(bool flip);

    BlackLists* lists_;
    ListName list_;
    Db target_;
    unsigned target_slot_ = 0;
    std::unique_ptr<class KeyFilter> filter_;
    std::vector<ListItem> batch_;
    std::size_t added_ = 0;
    bool cleared_ = false;  // a committed batch has emptied the target slot
    bool finished_ = false;
    bool broken_ = false;  // a batch failed to commit: the snapshot is incomplete
};

}  // namespace piotd::storage
