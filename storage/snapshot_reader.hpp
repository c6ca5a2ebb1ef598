// Serves a list as a snapshot stream (docs/replication.md, GET /api/v1/replication/snapshot)
// without holding it in memory: walks the active slot with an LMDB cursor inside one read
// transaction of its own, so the items and header() are consistent at one seq.
//
// The transaction is not from the pool and lives as long as the reader (one request): while it
// is open LMDB cannot reuse the pages it sees, so the file may grow under a long stream. Use it
// from one thread at a time; it may move between threads (MDB_NOTLS).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage/black_lists.hpp"
#include "storage/cursor.hpp"
#include "storage/list_name.hpp"
#include "storage/list_version.hpp"
#include "storage/transaction.hpp"

namespace piotd::storage {

class SnapshotReader {
public:
    // Starts strictly after the item `after` (text form, as the client received it; empty =
    // from the first item). Throws std::invalid_argument when parse_list_item rejects `after`
    // (a client error: the HTTP layer answers 400), StorageError for LMDB failures.
    SnapshotReader(const BlackLists& lists, ListName list, std::string_view after = {});
    SnapshotReader(SnapshotReader&&) noexcept = default;
    SnapshotReader& operator=(SnapshotReader&&) = delete;
    ~SnapshotReader();

    // The list at this reader's transaction: epoch, seq, oldest, doc_count (the whole list's,
    // also when resuming after an item).
    const ListVersion& header() const { return header_; }

    // The next item's text form (format_list_item) into `item_text`; false at the end.
    bool next(std::string& item_text);
    // Items returned by next() so far.
    std::uint64_t count() const { return count_; }

private:
    ListName list_;
    ReadTxn txn_;
    std::unique_ptr<Cursor> cursor_;  // destroyed before txn_ (declared after it)
    ListVersion header_;
    std::string after_key_;  // empty: from the first item
    bool started_ = false;
    bool done_ = false;
    std::uint64_t count_ = 0;
};

}  // namespace piotd::storage
