// The durable outbox of documents to relay upstream (docs/relay.md). A document is in LMDB,
// fsync'd, before the POS hears "accepted"; the relay reads it from here, and every state change
// is a committed transaction, so kill -9 at any moment loses nothing acknowledged.
//
// Layout: Db::outbox seq -> OutboxRecord; Db::outbox_keys id -> seq (idempotency); one index
// per group of states, keyed by seq, so the relay finds the head of the queue and the status
// page counts without walking delivered documents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "storage/environment.hpp"
#include "storage/outbox_record.hpp"
#include "storage/transaction.hpp"

namespace piotd::storage {

struct OutboxCounts {
    std::size_t queued = 0;
    std::size_t checking = 0;
    std::size_t rejected = 0;
    std::size_t dead = 0;
    std::size_t done = 0;  // delivered and local
    std::size_t total = 0;
    std::optional<std::int64_t> oldest_pending_ms;  // created_ms of the oldest pending document
};

struct EnqueueOutcome {
    bool created = false;  // false: a document with this id was there; `record` is that one
    OutboxRecord record;
};

class Outbox {
public:
    explicit Outbox(Environment& env) : env_(env) {}

    // Stores `record` (its seq is assigned here) inside the caller's transaction, unless a
    // document with its id exists: then nothing is written and the stored one is returned.
    EnqueueOutcome enqueue(WriteTxn& txn, OutboxRecord record);

    std::optional<OutboxRecord> find(std::string_view id) const;
    std::optional<OutboxRecord> find(const WriteTxn& txn, std::string_view id) const;
    std::optional<OutboxRecord> at(std::uint64_t seq) const;

    // Pending documents (queued, checking, rejected) in seq order, at most `limit`.
    std::vector<OutboxRecord> pending(std::size_t limit) const;
    // Documents in `state`, in seq order after `after_seq`, at most `limit` (status pages).
    std::vector<OutboxRecord> list(OutboxState state, std::size_t limit,
                                   std::uint64_t after_seq = 0) const;

    // Writes a changed record (same seq) and moves it between the indexes.
    void update(WriteTxn& txn, const OutboxRecord& record);

    // A dead document goes back to the queue with its counters reset; returns the record as
    // committed (the relay may send it a moment later). Empty when `id` is unknown or not dead.
    std::optional<OutboxRecord> retry(std::string_view id, std::int64_t now_ms);

    OutboxCounts counts() const;

    // Deletes finished documents (delivered, local) created before `before_ms`, then the oldest
    // of them while more than `keep_max` are kept; at most `budget` per call, so the write
    // transaction stays short. Pending and dead documents are never pruned.
    std::size_t prune(std::int64_t before_ms, std::size_t keep_max, std::size_t budget);

    Environment& env() const { return env_; }

private:
    Environment& env_;
};

}  // namespace piotd::storage
