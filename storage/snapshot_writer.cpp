#include <utility>

#include "storage/black_lists.hpp"
#include "storage/key_filter.hpp"
#include "storage/list_slots.hpp"
#include "storage/storage_error.hpp"

namespace piotd::storage {

SnapshotWriter::SnapshotWriter(BlackLists& lists, ListName list, std::size_t expected_items)
    : lists_(&lists), list_(list) {
    target_ = lists.inactive_db(list);
    target_slot_ = target_ == slot_db(list, 1) ? 1U : 0U;
    // Without an estimate the filter is built by one scan at finish(): growing it while
    // loading would cost as much and hold a second copy in memory.
    if (list == ListName::blocked_cis && expected_items > 0) {
        filter_ = std::make_unique<KeyFilter>(KeyFilter::capacity_for(expected_items));
    }
}

SnapshotWriter::SnapshotWriter(SnapshotWriter&& other) noexcept
    : lists_(other.lists_),
      list_(other.list_),
      target_(other.target_),
      target_slot_(other.target_slot_),
      filter_(std::move(other.filter_)),
      batch_(std::move(other.batch_)),
      added_(other.added_),
      cleared_(other.cleared_),
      finished_(std::exchange(other.finished_, true)),
      broken_(other.broken_) {}

// Without finish() the buffered batch is dropped and the active slot was never touched.
// Committed batches stay in the inactive slot until the next snapshot clears it.
SnapshotWriter::~SnapshotWriter() = default;

void SnapshotWriter::add(const ListItem& item) {
    if (finished_ || broken_) throw StorageError("snapshot writer used after finish or failure");
    batch_.push_back(item);
    if (filter_) filter_->add(item.key);
    ++added_;
    if (batch_.size() == kBatchSize) flush_batch();
}

void SnapshotWriter::flush_batch() {
    write_batch(false);
}

void SnapshotWriter::write_batch(bool flip) {
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
        }
        for (const ListItem& item : batch_) txn.put(target_, item.key, item.value);
        if (flip) {
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
            txn.put(Db::meta, active_key(list_), format_slot(target_slot_));
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
    cleared_ = true;
}

void SnapshotWriter::finish() {
    if (finished_ || broken_) throw StorageError("snapshot writer used after finish or failure");
    write_batch(true);
    finished_ = true;
    filter_.reset();
    lists_->publish();
}

}  // namespace piotd::storage
