// The change log kept beside each list for serving replication (docs/replication.md): every
// effective add/remove of the active slot appends one entry in the same transaction, numbered by
// the list's sequence counter; a full replacement starts a new epoch with an empty log.
//
// Databases Db::changes_<list>: key seq as u64 big endian (so LMDB's byte order is seq order),
// value op ('+' add, '-' remove) + the item's text form (format_list_item).
// meta keys:
//   epoch/<list>   UUID text of the current epoch (created when a BlackLists first opens the env
//                  read-write, or by the first change)
//   seq/<list>     decimal u64, the last seq assigned (missing = 0); never goes back, also not
//                  across epochs
//   oldest/<list>  decimal u64, the first seq the log still holds (missing = 1; seq + 1 when the
//                  log is empty). A client at cursor c can catch up iff c + 1 >= oldest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/documents/replication_feed.hpp"
#include "storage/environment.hpp"
#include "storage/list_name.hpp"
#include "storage/list_version.hpp"
#include "storage/transaction.hpp"

namespace piotd::storage {

// Entries kept per list at most. When an append goes beyond it, the oldest entries are pruned in
// one go down to retention - retention / 64, so pruning runs once per that many changes.
inline constexpr std::size_t kChangeLogRetention = 1'000'000;

// One page read from the log by BlackLists::changes_since().
struct ChangeRead {
    bool snapshot_required = false;         // the client's epoch/seq cannot be served from the log
    ListVersion version;                    // the list at the read transaction
    std::vector<protocol::Change> changes;  // seq > since, ascending, at most `limit`
    bool more = false;                      // further changes follow the last one returned
};

Db change_db(ListName list);
std::string epoch_key(ListName list);
std::string seq_key(ListName list);
std::string oldest_key(ListName list);

// The list's version as committed in (or written so far by) the transaction.
ListVersion read_list_version(const ReadTxn& txn, ListName list);
ListVersion read_list_version(const WriteTxn& txn, ListName list);

// Creates epoch/<list> when missing; returns true when it wrote.
bool ensure_epoch(WriteTxn& txn, ListName list);

// Appends one change with seq + 1 and prunes the oldest entries beyond `retention`.
// Returns the seq assigned.
std::uint64_t append_change(WriteTxn& txn, ListName list, protocol::ChangeOp op,
                            std::string_view item, std::size_t retention = kChangeLogRetention);

// For a full replacement, in the flip transaction: a fresh epoch, an empty log, seq kept,
// oldest = seq + 1.
void start_new_epoch(WriteTxn& txn, ListName list);

// Changes after `since` when `epoch`/`since` can be served (ChangeRead::snapshot_required
// otherwise: another epoch, a seq pruned from the log, or a seq ahead of the list's).
ChangeRead read_changes(const ReadTxn& txn, ListName list, std::string_view epoch,
                        std::uint64_t since, std::size_t limit);

}  // namespace piotd::storage
