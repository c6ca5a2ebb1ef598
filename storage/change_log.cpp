#include "storage/change_log.hpp"

#include <charconv>

#include "protocol/text/uuid.hpp"
#include "storage/cursor.hpp"
#include "storage/list_slots.hpp"
#include "storage/sequence_key.hpp"
#include "storage/storage_error.hpp"

namespace piotd::storage {

namespace {

constexpr char kAddOp = '+';
constexpr char kRemoveOp = '-';

std::uint64_t parse_u64(std::optional<std::string_view> value, std::uint64_t missing) {
    if (!value) return missing;
    std::uint64_t n = 0;
    const char* end = value->data() + value->size();
    const auto [ptr, ec] = std::from_chars(value->data(), end, n);
    return ec == std::errc{} && ptr == end ? n : missing;
}

template <class Txn>
ListVersion read_version(const Txn& txn, ListName list) {
    ListVersion v;
    if (const auto epoch = txn.get(Db::meta, epoch_key(list))) v.epoch = std::string(*epoch);
    v.seq = parse_u64(txn.get(Db::meta, seq_key(list)), 0);
    v.oldest = parse_u64(txn.get(Db::meta, oldest_key(list)), 1);
    v.doc_count = txn.entries(slot_db(list, parse_slot(txn.get(Db::meta, active_key(list)))));
    return v;
}

protocol::Change decode_change(ListName list, std::string_view key, std::string_view value) {
    const auto seq = decode_seq_key(key);
    if (!seq || value.empty() || (value[0] != kAddOp && value[0] != kRemoveOp)) {
        throw StorageError("corrupt entry in the change log of " + std::string(list_name(list)));
    }
    return {*seq, value[0] == kAddOp ? protocol::ChangeOp::add : protocol::ChangeOp::remove,
            std::string(value.substr(1))};
}

// Deletes the oldest entries so that `keep` remain; returns the new oldest seq.
std::uint64_t prune(WriteTxn& txn, ListName list, std::size_t keep, std::uint64_t seq) {
    const Db db = change_db(list);
    const std::size_t entries = txn.entries(db);
    if (entries <= keep) return seq + 1;
    std::vector<std::string> doomed;
    doomed.reserve(entries - keep);
    std::uint64_t oldest = seq + 1;
    {
        Cursor cursor(txn, db);
        for (bool more = cursor.first(); more; more = cursor.next()) {
            if (doomed.size() == entries - keep) {
                oldest = decode_seq_key(cursor.key()).value_or(seq + 1);
                break;
            }
            doomed.emplace_back(cursor.key());
        }
    }
    for (const std::string& key : doomed) txn.del(db, key);
    return oldest;
}

}  // namespace

static_assert(static_cast<unsigned>(Db::changes_learned) ==
                  static_cast<unsigned>(Db::changes_blocked_cis) +
                      static_cast<unsigned>(ListName::learned),
              "Db must list the change logs in ListName order");

Db change_db(ListName list) {
    return static_cast<Db>(static_cast<unsigned>(Db::changes_blocked_cis) +
                           static_cast<unsigned>(list));
}

std::string epoch_key(ListName list) {
    return "epoch/" + std::string(list_name(list));
}

std::string seq_key(ListName list) {
    return "seq/" + std::string(list_name(list));
}

std::string oldest_key(ListName list) {
    return "oldest/" + std::string(list_name(list));
}

ListVersion read_list_version(const ReadTxn& txn, ListName list) {
    return read_version(txn, list);
}

ListVersion read_list_version(const WriteTxn& txn, ListName list) {
    return read_version(txn, list);
}

bool ensure_epoch(WriteTxn& txn, ListName list) {
    const std::string key = epoch_key(list);
    if (txn.get(Db::meta, key)) return false;
    txn.put(Db::meta, key, protocol::random_uuid());
    return true;
}

std::uint64_t append_change(WriteTxn& txn, ListName list, protocol::ChangeOp op,
                            std::string_view item, std::size_t retention) {
    ensure_epoch(txn, list);
    const std::uint64_t seq = parse_u64(txn.get(Db::meta, seq_key(list)), 0) + 1;
    std::string value;
    value.reserve(item.size() + 1);
    value.push_back(op == protocol::ChangeOp::add ? kAddOp : kRemoveOp);
    value.append(item);
    const Db db = change_db(list);
    txn.put(db, encode_seq_key(seq), value);
    txn.put(Db::meta, seq_key(list), std::to_string(seq));
    if (txn.entries(db) > retention) {
        txn.put(Db::meta, oldest_key(list),
                std::to_string(prune(txn, list, retention - retention / 64, seq)));
    } else if (!txn.get(Db::meta, oldest_key(list))) {
        txn.put(Db::meta, oldest_key(list), std::to_string(seq));  // the first entry ever
    }
    return seq;
}

void start_new_epoch(WriteTxn& txn, ListName list) {
    const std::uint64_t seq = parse_u64(txn.get(Db::meta, seq_key(list)), 0);
    txn.clear(change_db(list));
    txn.put(Db::meta, epoch_key(list), protocol::random_uuid());
    txn.put(Db::meta, seq_key(list), std::to_string(seq));
    txn.put(Db::meta, oldest_key(list), std::to_string(seq + 1));
}

ChangeRead read_changes(const ReadTxn& txn, ListName list, std::string_view epoch,
                        std::uint64_t since, std::size_t limit) {
    ChangeRead read;
    read.version = read_list_version(txn, list);
    if (read.version.epoch.empty() || epoch != read.version.epoch ||
        !read.version.can_catch_up(since)) {
        read.snapshot_required = true;
        return read;
    }
    if (since == read.version.seq) return read;
    Cursor cursor(txn, change_db(list));
    for (bool more = cursor.seek(encode_seq_key(since + 1)); more; more = cursor.next()) {
        if (read.changes.size() == limit) {
            read.more = true;
            break;
        }
        read.changes.push_back(decode_change(list, cursor.key(), cursor.value()));
    }
    return read;
}

}  // namespace piotd::storage
