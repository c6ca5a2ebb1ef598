#include "storage/check_journal.hpp"

#include <charconv>

#include "storage/cursor.hpp"
#include "storage/sequence_key.hpp"

namespace piotd::storage {

namespace {

constexpr std::string_view kSeqKey = "journal/seq";
constexpr std::string_view kSweepKey = "verdicts/sweep";

std::string clean(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c == '\t' || c == '\n') c = ' ';
    }
    return out;
}

std::string encode(const JournalEntry& entry) {
    return std::to_string(entry.time_ms) + "\t" + clean(entry.source) + "\t" +
           (entry.allowed ? "1" : "0") + "\t" + clean(entry.req_id) + "\t" + clean(entry.detail) +
           "\t" + entry.code;
}

bool decode(std::string_view value, JournalEntry& entry) {
    std::string_view fields[5];
    for (auto& field : fields) {
        const std::size_t tab = value.find('\t');
        if (tab == std::string_view::npos) return false;
        field = value.substr(0, tab);
        value.remove_prefix(tab + 1);
    }
    std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), entry.time_ms);
    entry.source = fields[1];
    entry.allowed = fields[2] == "1";
    entry.req_id = fields[3];
    entry.detail = fields[4];
    entry.code = value;
    return true;
}

std::int64_t entry_time(std::string_view value) {
    std::int64_t time = 0;
    std::from_chars(value.data(), value.data() + value.size(), time);
    return time;
}

// Deletes the verdict records whose journal entry is gone (seq below the oldest kept), looking at
// up to `budget` records from where the last sweep stopped, round the end to the start.
void sweep_verdicts(WriteTxn& txn, std::size_t budget) {
    std::uint64_t oldest = 0;
    {
        Cursor journal(txn, Db::check_journal);
        if (journal.first()) oldest = decode_seq_key(journal.key()).value_or(0);
    }
    std::string from(txn.get(Db::meta, kSweepKey).value_or(std::string_view{}));
    std::vector<std::string> stale;
    std::string last;
    {
        Cursor cursor(txn, Db::check_verdicts);
        bool more = from.empty() ? cursor.first() : cursor.seek(from);
        bool wrapped = from.empty();
        for (std::size_t seen = 0; seen < budget; ++seen) {
            if (!more) {
                if (wrapped) break;
                wrapped = true;
                more = cursor.first();
                if (!more) break;
            }
            const std::uint64_t seq = decode_seq_key(cursor.value()).value_or(0);
            if (seq < oldest || oldest == 0) stale.emplace_back(cursor.key());
            last = std::string(cursor.key());
            more = cursor.next();
        }
    }
    for (const std::string& key : stale) txn.del(Db::check_verdicts, key);
    // The next sweep goes on after the last key looked at (a key just past it: + '\0').
    txn.put(Db::meta, kSweepKey, last.empty() ? std::string() : last + '\0');
}

}  // namespace

void append_journal(WriteTxn& txn, std::vector<JournalEntry>& entries,
                    const JournalRetention& retention, std::int64_t now_ms) {
    std::uint64_t seq = 0;
    if (const auto stored = txn.get(Db::meta, kSeqKey)) {
        std::from_chars(stored->data(), stored->data() + stored->size(), seq);
    }
    for (JournalEntry& entry : entries) {
        entry.seq = ++seq;
        if (!txn.append(Db::check_journal, encode_seq_key(seq), encode(entry))) {
            txn.put(Db::check_journal, encode_seq_key(seq), encode(entry));
        }
        if (!entry.verdict_ki.empty()) {
            txn.put(Db::check_verdicts, entry.verdict_ki, encode_seq_key(seq));
        }
    }
    txn.put(Db::meta, kSeqKey, std::to_string(seq));

    // Oldest first: drop while over the count or older than the age limit.
    std::size_t count = txn.entries(Db::check_journal);
    std::vector<std::string> doomed;
    {
        Cursor cursor(txn, Db::check_journal);
        for (bool more = cursor.first(); more; more = cursor.next()) {
            const bool too_many = count > retention.max_entries;
            const bool too_old = entry_time(cursor.value()) < now_ms - retention.max_age_ms;
            if (!too_many && !too_old) break;
            doomed.emplace_back(cursor.key());
            --count;
        }
    }
    for (const std::string& key : doomed) txn.del(Db::check_journal, key);
    sweep_verdicts(txn, 2 * entries.size() + 16);
}

std::optional<JournalEntry> read_verdict(const ReadTxn& txn, std::string_view ki) {
    const auto seq_key = txn.get(Db::check_verdicts, ki);
    if (!seq_key) return std::nullopt;
    const auto value = txn.get(Db::check_journal, *seq_key);
    JournalEntry entry;
    if (!value || !decode(*value, entry)) return std::nullopt;  // pruned: stale until swept
    entry.seq = decode_seq_key(*seq_key).value_or(0);
    entry.verdict_ki = std::string(ki);
    return entry;
}

std::vector<JournalEntry> read_journal(const ReadTxn& txn, std::size_t limit,
                                       std::int64_t since_ms) {
    std::vector<JournalEntry> entries;
    Cursor cursor(txn, Db::check_journal);
    for (bool more = cursor.last(); more && entries.size() < limit; more = cursor.prev()) {
        JournalEntry entry;
        if (!decode(cursor.value(), entry)) continue;
        if (entry.time_ms < since_ms) break;  // seq order is time order
        entry.seq = decode_seq_key(cursor.key()).value_or(0);
        entries.push_back(std::move(entry));
    }
    return entries;
}

}  // namespace piotd::storage
