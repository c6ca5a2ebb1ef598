#include "storage/snapshot_writer.hpp"

#include <algorithm>
#include <utility>

#include "storage/black_lists.hpp"
#include "storage/change_log.hpp"
#include "storage/cursor.hpp"
#include "storage/key_filter.hpp"
#include "storage/list_slots.hpp"
#include "storage/storage_error.hpp"

namespace piotd::storage {

namespace {

// The same load: min_seq aside, which a resumed writer may have lowered before its first batch.
bool same_load(const std::optional<SnapshotProgress>& stored, const SnapshotProgress& ours) {
    return stored && stored->source_epoch == ours.source_epoch && stored->count == ours.count &&
           stored->last_item == ours.last_item;
}

}  // namespace

SnapshotWriter::SnapshotWriter(BlackLists& lists, ListName list, const SnapshotOptions& options)
    : lists_(&lists),
      list_(list),
      batch_size_(std::max<std::size_t>(options.batch_size, 1)),
      sourced_(options.source.has_value()) {
    std::size_t existing = 0;
    {
        // From LMDB, not the published state: another process may have flipped since.
        const ReadTxn txn(lists.env());
        target_slot_ = 1U - parse_slot(txn.get(Db::meta, active_key(list)));
        target_ = slot_db(list, target_slot_);
        if (sourced_) {
            const auto stored = read_snapshot_progress(txn, list);
            if (stored && stored->source_epoch == options.source->epoch) {
                progress_ = *stored;
                progress_.min_seq = std::min(progress_.min_seq, options.source->seq);
                resumed_ = true;
                cleared_ = true;
                existing = txn.entries(target_);
            } else {
                progress_.source_epoch = options.source->epoch;
                progress_.min_seq = options.source->seq;
            }
        }
        // Without an estimate the filter is built by one scan at finish(): growing it while
        // loading would cost as much and hold a second copy in memory.
        if (list == ListName::blocked_cis && options.expected_items > 0) {
            filter_ = std::make_unique<KeyFilter>(
                KeyFilter::capacity_for(std::max(options.expected_items, existing)));
            if (existing > 0) {
                Cursor cursor(txn, target_);
                for (bool more = cursor.first(); more; more = cursor.next()) {
                    filter_->add(cursor.key());
                }
            }
        }
    }
    batch_.reserve(std::min<std::size_t>(batch_size_, 4096));
}

SnapshotWriter::SnapshotWriter(SnapshotWriter&& other) noexcept
    : lists_(other.lists_),
      list_(other.list_),
      target_(other.target_),
      target_slot_(other.target_slot_),
      batch_size_(other.batch_size_),
      sourced_(other.sourced_),
      filter_(std::move(other.filter_)),
      batch_(std::move(other.batch_)),
      added_(other.added_),
      progress_(std::move(other.progress_)),
      resumed_(other.resumed_),
      cleared_(other.cleared_),
      finished_(std::exchange(other.finished_, true)),
      broken_(other.broken_) {}

// Without finish() the buffered batch is dropped and the active slot was never touched.
// Committed batches stay in the inactive slot: a sourced load resumes from them, any other
// writer clears them first.
SnapshotWriter::~SnapshotWriter() = default;

void SnapshotWriter::add(const ListItem& item) {
    add(item.key, item.value);
}

void SnapshotWriter::add(std::string_view key, std::string_view value) {
    if (finished_ || broken_) throw StorageError("snapshot writer used after finish or failure");
    batch_.push_back(ListItem{std::string(key), std::string(value)});
    if (filter_) filter_->add(key);
    ++added_;
    if (batch_.size() >= batch_size_) write_batch(nullptr);
}

void SnapshotWriter::write_batch(const std::optional<ReplicationCursor>* flip_cursor) {
    SnapshotProgress next = progress_;
    try {
        WriteTxn txn(lists_->env());
        // Another process may have flipped this list since begin_snapshot(): the target would
        // then be the list checks are answered from, and must not be touched.
        if (parse_slot(txn.get(Db::meta, active_key(list_))) == target_slot_) {
            throw StorageError("another writer switched " + std::string(list_name(list_)) +
                               " while a snapshot of it was loading; start the snapshot again");
        }
        if (!cleared_) {
            txn.clear(target_);
            txn.del(Db::meta, filter_key(list_, target_slot_));
            txn.del(Db::meta, snapshot_progress_key(list_));
        } else if (sourced_ && !same_load(read_snapshot_progress(txn, list_), progress_)) {
            // Our progress is gone or changed: another writer has taken the slot over.
            throw StorageError("another writer took over the inactive slot of " +
                               std::string(list_name(list_)) +
                               " while a snapshot of it was loading; start the snapshot again");
        }
        // Snapshot streams come in key order: appending fills pages whole. Out-of-order items
        // (an unsorted import file) fall back to an ordinary put.
        for (const ListItem& item : batch_) {
            if (!txn.append(target_, item.key, item.value)) txn.put(target_, item.key, item.value);
        }
        if (flip_cursor == nullptr) {
            if (sourced_ && !batch_.empty()) {
                next.count += batch_.size();
                next.last_item = format_list_item(list_, batch_.back().key, batch_.back().value);
            }
            if (sourced_) write_snapshot_progress(txn, list_, next);
        } else {
            if (list_ == ListName::blocked_cis) {
                const std::size_t count = txn.entries(target_);
                if (!filter_ || filter_->overfull(count)) filter_ = scan_filter(txn, target_);
                // The filter, its stamp and the flip commit together: whatever survives a
                // crash, the persisted filter matches the list it claims to cover.
                const std::uint64_t stamp = new_stamp();
                txn.put(Db::meta, filter_key(list_, target_slot_),
                        encode_stamped_filter(stamp, *filter_));
                txn.put(Db::meta, kCisStampKey, format_stamp(stamp));
                txn.del(Db::meta, filter_key(list_, 1U - target_slot_));  // the old list's
            }
            if (list_ == ListName::learned) {
                // Its filter is not persisted, but a reader that misses two flips must not
                // keep the filter of the slot it knew: the stamp moves with every flip.
                txn.put(Db::meta, kLearnedStampKey, format_stamp(new_stamp()));
            }
            txn.put(Db::meta, active_key(list_), format_slot(target_slot_));
            txn.del(Db::meta, snapshot_progress_key(list_));
            start_new_epoch(txn, list_);
            if (flip_cursor->has_value()) write_cursor(txn, list_, **flip_cursor);
        }
        txn.commit();
    } catch (...) {
        // The batch is lost with its transaction, so the snapshot can no longer be complete.
        // The active list is untouched.
        batch_.clear();
        broken_ = true;
        throw;
    }
    batch_.clear();
    progress_ = std::move(next);
    cleared_ = true;
}

void SnapshotWriter::finish(const std::optional<ReplicationCursor>& cursor) {
    if (finished_ || broken_) throw StorageError("snapshot writer used after finish or failure");
    write_batch(&cursor);
    finished_ = true;
    filter_.reset();
    lists_->publish();
    // The load read tree pages through the map (its own appends, the old slot's freeing): ~5 MB
    // a time that would stay in the daemon's RSS though checks of the new list never need them.
    lists_->env().release_mapped_pages();
}

}  // namespace piotd::storage
