// Client side of replication (docs/replication.md), kept in `meta` beside each list:
//
//   cursor/<list>    where the list stands against its upstream: "<epoch>\n<seq>". Written by
//                    the snapshot flip and with every applied page of changes, in the same
//                    transaction as the items.
//   snapshot/<list>  progress of a snapshot loading into the inactive slot:
//                    "<source epoch>\n<min seq>\n<count>\n<last item>". Written with every
//                    batch, so after kill -9 the slot holds exactly the batches it describes;
//                    removed by the flip, and by any writer that clears the slot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/list_name.hpp"
#include "storage/transaction.hpp"

namespace piotd::storage {

struct ReplicationCursor {
    std::string epoch;      // the upstream's epoch of the list
    std::uint64_t seq = 0;  // the last upstream change this list includes

    bool operator==(const ReplicationCursor&) const = default;
};

struct SnapshotProgress {
    std::string source_epoch;   // the upstream epoch the committed batches came from
    std::uint64_t min_seq = 0;  // the smallest seq of the stream headers seen so far
    std::string last_item;      // the last committed item, text form: resume with after=
    std::uint64_t count = 0;    // items committed so far

    bool operator==(const SnapshotProgress&) const = default;
};

std::string cursor_key(ListName list);
std::string snapshot_progress_key(ListName list);

// Missing or malformed = nothing. The writers throw std::invalid_argument for an epoch that is
// empty or holds a newline.
std::optional<ReplicationCursor> read_cursor(const ReadTxn& txn, ListName list);
std::optional<ReplicationCursor> read_cursor(const WriteTxn& txn, ListName list);
void write_cursor(WriteTxn& txn, ListName list, const ReplicationCursor& cursor);

std::optional<SnapshotProgress> read_snapshot_progress(const ReadTxn& txn, ListName list);
std::optional<SnapshotProgress> read_snapshot_progress(const WriteTxn& txn, ListName list);
void write_snapshot_progress(WriteTxn& txn, ListName list, const SnapshotProgress& progress);

}  // namespace piotd::storage
