// Writes a whole list into the inactive slot (storage/list_slots.hpp) in batches, and makes it
// live with one flip transaction. Obtained from BlackLists::begin_snapshot().
//
// A writer with a source (an upstream snapshot stream, docs/replication.md) records its progress
// in meta `snapshot/<list>` with every batch (storage/replication_cursor.hpp), so a load killed
// half-way resumes: begin_snapshot() with the same source epoch keeps the committed batches and
// progress().last_item is the `after=` to ask for. A writer without a source, or with another
// source epoch, starts from an empty slot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/environment.hpp"
#include "storage/list_item.hpp"
#include "storage/list_name.hpp"
#include "storage/replication_cursor.hpp"

namespace piotd::storage {

class BlackLists;
class KeyFilter;

inline constexpr std::size_t kSnapshotBatchSize = 50'000;

// The upstream stream a snapshot comes from: its header's epoch and seq.
struct SnapshotSource {
    std::string epoch;
    std::uint64_t seq = 0;
};

struct SnapshotOptions {
    std::size_t expected_items = 0;        // sizes the blocked_cis filter; 0 = scan at finish()
    std::optional<SnapshotSource> source;  // set: progress is kept, and resumed when it matches
    std::size_t batch_size = kSnapshotBatchSize;  // items per write transaction (>= 1)
};

// Items are buffered and each batch is written by one short transaction, so the LMDB write lock
// is never held while the caller waits for the next item (a download, a file): other writers
// (sales, state) are delayed by one batch write at most.
class SnapshotWriter {
public:
    SnapshotWriter(SnapshotWriter&&) noexcept;
    SnapshotWriter& operator=(SnapshotWriter&&) = delete;
    ~SnapshotWriter();

    // Items should come in key order (the order of the snapshot stream) for a resumable load:
    // the progress records the last one of each batch as the point to resume after.
    void add(const ListItem& item);
    void add(std::string_view key, std::string_view value);
    // Items added through this writer (buffered ones included; not those of a resumed load).
    std::size_t added() const { return added_; }

    // True when this writer continues a load an earlier writer committed part of.
    bool resumed() const { return resumed_; }
    // What the committed batches hold (sourced writers; for others source_epoch is empty).
    // min_seq already includes this writer's source seq.
    const SnapshotProgress& progress() const { return progress_; }

    // Commits the last batch and flips the active slot; the new list is visible on return.
    // The list gets a new epoch and an empty change log; `cursor`, when given, is written in the
    // flip transaction (for a sourced load: {progress().source_epoch, progress().min_seq}).
    void finish(const std::optional<ReplicationCursor>& cursor = std::nullopt);

    static constexpr std::size_t kBatchSize = kSnapshotBatchSize;

private:
    friend class BlackLists;
    SnapshotWriter(BlackLists& lists, ListName list, const SnapshotOptions& options);
    // Writes the buffered items in one transaction; with `flip`, also switches the list to them.
    void write_batch(const std::optional<ReplicationCursor>* flip_cursor);

    BlackLists* lists_;
    ListName list_;
    Db target_;
    unsigned target_slot_ = 0;
    std::size_t batch_size_ = kSnapshotBatchSize;
    bool sourced_ = false;
    std::unique_ptr<KeyFilter> filter_;
    std::vector<ListItem> batch_;
    std::size_t added_ = 0;
    SnapshotProgress progress_;  // as committed (sourced writers)
    bool resumed_ = false;
    bool cleared_ = false;  // the target slot holds only this load's batches
    bool finished_ = false;
    bool broken_ = false;  // a batch failed to commit: the snapshot is incomplete
};

}  // namespace piotd::storage
