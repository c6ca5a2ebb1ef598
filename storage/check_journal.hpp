// The journal of permissive-mode checks (docs/permissive-mode.md): one entry per checked code,
// with bounded retention by count and by age, read newest first.
//
// Db::check_journal: key seq (u64 big endian, so byte order is seq order), value
// "<time_ms>\t<source>\t<allowed 0|1>\t<reqId>\t<detail>\t<code>" (the code last: it may hold
// any byte). meta key "journal/seq": the last seq assigned.
//
// Db::check_verdicts: the newest online or local-module verdict of each code (key КИ, value the
// seq of its journal entry), so a code's last upstream verdict is found without a scan. It is
// bounded by the journal: a record whose entry was pruned is stale, and every append sweeps a
// stretch of records (twice as many as it adds, from where the last sweep stopped: meta key
// "verdicts/sweep") and deletes the stale ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/transaction.hpp"

namespace piotd::storage {

struct JournalEntry {
    std::uint64_t seq = 0;  // assigned by append
    std::int64_t time_ms = 0;
    std::string source;  // online | lm | offline | none, or ahead:online | ahead:lm
    bool allowed = false;
    std::string req_id;
    std::string detail;  // reason codes, or why no check could be made
    std::string code;    // the full code as checked
    // The КИ when this entry is an upstream's verdict (online, lm): it becomes the code's
    // newest verdict in Db::check_verdicts. Empty: not a verdict (offline, none).
    std::string verdict_ki;
};

struct JournalRetention {
    std::size_t max_entries = 100'000;
    std::int64_t max_age_ms = 30LL * 24 * 3600 * 1000;
};

// Appends `entries` (seq assigned in order) and prunes what falls outside `retention`.
void append_journal(WriteTxn& txn, std::vector<JournalEntry>& entries,
                    const JournalRetention& retention, std::int64_t now_ms);

// The newest upstream verdict of `ki` while its journal entry is kept; nothing otherwise.
std::optional<JournalEntry> read_verdict(const ReadTxn& txn, std::string_view ki);

// Newest first: at most `limit` entries with time_ms >= since_ms.
std::vector<JournalEntry> read_journal(const ReadTxn& txn, std::size_t limit,
                                       std::int64_t since_ms);

}  // namespace piotd::storage
