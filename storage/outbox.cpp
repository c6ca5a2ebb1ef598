#include "storage/outbox.hpp"

#include <string>

#include "storage/cursor.hpp"
#include "storage/sequence_key.hpp"
#include "storage/storage_error.hpp"

namespace piotd::storage {

namespace {

constexpr std::string_view kSeqKey = "outbox/seq";

// A key that is not 8 bytes (never written by piotd) reads as sequence 0, which no record has.
std::uint64_t parse_seq(std::string_view key) {
    return decode_seq_key(key).value_or(0);
}

// Which index holds documents in `state`.
Db index_of(OutboxState state) {
    if (outbox_pending(state)) return Db::outbox_pending;
    if (state == OutboxState::dead) return Db::outbox_dead;
    return Db::outbox_done;
}

template <typename Txn>
std::optional<OutboxRecord> record_at(const Txn& txn, std::uint64_t seq) {
    const auto value = txn.get(Db::outbox, encode_seq_key(seq));
    if (!value) return std::nullopt;
    auto record = decode_outbox_record(*value);
    if (!record) throw StorageError("outbox record " + std::to_string(seq) + " is corrupt");
    return record;
}

template <typename Txn>
std::optional<OutboxRecord> record_of(const Txn& txn, std::string_view id) {
    if (id.empty() || id.size() > 511) return std::nullopt;
    const auto seq = txn.get(Db::outbox_keys, id);
    if (!seq) return std::nullopt;
    return record_at(txn, parse_seq(*seq));
}

}  // namespace

EnqueueOutcome Outbox::enqueue(WriteTxn& txn, OutboxRecord record) {
    if (auto existing = record_of(txn, record.id)) return {false, std::move(*existing)};
    std::uint64_t seq = 1;
    if (const auto last = txn.get(Db::meta, kSeqKey)) seq = std::stoull(std::string(*last)) + 1;
    txn.put(Db::meta, kSeqKey, std::to_string(seq));
    record.seq = seq;
    const std::string key = encode_seq_key(seq);
    txn.put(Db::outbox, key, encode_outbox_record(record));
    txn.put(Db::outbox_keys, record.id, key);
    const char state = static_cast<char>(record.state);
    txn.put(index_of(record.state), key, std::string_view(&state, 1));
    return {true, std::move(record)};
}

std::optional<OutboxRecord> Outbox::find(std::string_view id) const {
    const ReadTxn txn(env_);
    return record_of(txn, id);
}

std::optional<OutboxRecord> Outbox::find(const WriteTxn& txn, std::string_view id) const {
    return record_of(txn, id);
}

std::optional<OutboxRecord> Outbox::at(std::uint64_t seq) const {
    const ReadTxn txn(env_);
    return record_at(txn, seq);
}

std::vector<OutboxRecord> Outbox::pending(std::size_t limit) const {
    std::vector<OutboxRecord> out;
    const ReadTxn txn(env_);
    Cursor cursor(txn, Db::outbox_pending);
    for (bool more = cursor.first(); more && out.size() < limit; more = cursor.next()) {
        if (auto record = record_at(txn, parse_seq(cursor.key()))) {
            out.push_back(std::move(*record));
        }
    }
    return out;
}

std::vector<OutboxRecord> Outbox::list(OutboxState state, std::size_t limit,
                                       std::uint64_t after_seq) const {
    std::vector<OutboxRecord> out;
    const ReadTxn txn(env_);
    Cursor cursor(txn, index_of(state));
    for (bool more = cursor.seek(encode_seq_key(after_seq + 1)); more && out.size() < limit;
         more = cursor.next()) {
        if (!cursor.value().empty() && cursor.value()[0] != static_cast<char>(state)) continue;
        if (auto record = record_at(txn, parse_seq(cursor.key()))) {
            out.push_back(std::move(*record));
        }
    }
    return out;
}

void Outbox::update(WriteTxn& txn, const OutboxRecord& record) {
    const std::string key = encode_seq_key(record.seq);
    const auto old = record_at(txn, record.seq);
    if (!old) throw StorageError("outbox record " + std::to_string(record.seq) + " is gone");
    if (index_of(old->state) != index_of(record.state)) txn.del(index_of(old->state), key);
    const char state = static_cast<char>(record.state);
    txn.put(index_of(record.state), key, std::string_view(&state, 1));
    txn.put(Db::outbox, key, encode_outbox_record(record));
}

std::optional<OutboxRecord> Outbox::retry(std::string_view id, std::int64_t now_ms) {
    WriteTxn txn(env_);
    auto record = record_of(txn, id);
    if (!record || record->state != OutboxState::dead) return std::nullopt;
    record->state = OutboxState::queued;
    record->attempts = 0;
    record->rejections = 0;
    record->next_attempt_ms = 0;
    record->updated_ms = now_ms;
    update(txn, *record);
    txn.commit();
    return record;
}

OutboxCounts Outbox::counts() const {
    OutboxCounts counts;
    const ReadTxn txn(env_);
    {
        Cursor cursor(txn, Db::outbox_pending);
        bool first = true;
        for (bool more = cursor.first(); more; more = cursor.next()) {
            const char state = cursor.value().empty() ? 'q' : cursor.value()[0];
            if (state == static_cast<char>(OutboxState::checking)) {
                ++counts.checking;
            } else if (state == static_cast<char>(OutboxState::rejected)) {
                ++counts.rejected;
            } else {
                ++counts.queued;
            }
            if (first) {
                // Seq order is creation order: the first pending one is the oldest.
                if (auto record = record_at(txn, parse_seq(cursor.key()))) {
                    counts.oldest_pending_ms = record->created_ms;
                }
                first = false;
            }
        }
    }
    counts.dead = txn.entries(Db::outbox_dead);
    counts.done = txn.entries(Db::outbox_done);
    counts.total = txn.entries(Db::outbox);
    return counts;
}

std::size_t Outbox::prune(std::int64_t before_ms, std::size_t keep_max, std::size_t budget) {
    std::size_t deleted = 0;
    WriteTxn txn(env_);
    std::size_t kept = txn.entries(Db::outbox_done);
    std::vector<std::string> victims;
    {
        Cursor cursor(txn, Db::outbox_done);
        for (bool more = cursor.first(); more && victims.size() < budget; more = cursor.next()) {
            const auto record = record_at(txn, parse_seq(cursor.key()));
            const bool old = record && record->created_ms < before_ms;
            if (!old && kept <= keep_max) break;
            victims.emplace_back(cursor.key());
            --kept;
        }
    }
    for (const std::string& key : victims) {
        if (const auto record = record_at(txn, parse_seq(key))) {
            txn.del(Db::outbox_keys, record->id);
        }
        txn.del(Db::outbox, key);
        txn.del(Db::outbox_done, key);
        ++deleted;
    }
    if (deleted > 0) txn.commit();
    return deleted;
}

}  // namespace piotd::storage
