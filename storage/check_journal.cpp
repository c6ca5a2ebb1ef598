#include "storage/check_journal.hpp"

#include <charconv>

#include "storage/cursor.hpp"
#include "storage/sequence_key.hpp"

namespace piotd::storage {

namespace {

constexpr std::string_view kSeqKey = "journal/seq";

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
