#include "storage/replication_cursor.hpp"

#include <charconv>
#include <stdexcept>
#include <vector>

namespace piotd::storage {

namespace {

// Splits at the first `fields - 1` newlines: the last field may hold anything.
std::optional<std::vector<std::string_view>> split(std::string_view value, std::size_t fields) {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i + 1 < fields; ++i) {
        const std::size_t nl = value.find('\n');
        if (nl == std::string_view::npos) return std::nullopt;
        out.push_back(value.substr(0, nl));
        value.remove_prefix(nl + 1);
    }
    out.push_back(value);
    return out;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
    std::uint64_t n = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, n);
    if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
    return n;
}

template <class Txn>
std::optional<ReplicationCursor> read_cursor_in(const Txn& txn, ListName list) {
    const auto value = txn.get(Db::meta, cursor_key(list));
    if (!value) return std::nullopt;
    const auto fields = split(*value, 2);
    if (!fields) return std::nullopt;
    const auto seq = parse_u64((*fields)[1]);
    if (!seq || (*fields)[0].empty()) return std::nullopt;
    return ReplicationCursor{std::string((*fields)[0]), *seq};
}

template <class Txn>
std::optional<SnapshotProgress> read_progress(const Txn& txn, ListName list) {
    const auto value = txn.get(Db::meta, snapshot_progress_key(list));
    if (!value) return std::nullopt;
    const auto fields = split(*value, 4);
    if (!fields) return std::nullopt;
    const auto min_seq = parse_u64((*fields)[1]);
    const auto count = parse_u64((*fields)[2]);
    if (!min_seq || !count || (*fields)[0].empty()) return std::nullopt;
    return SnapshotProgress{std::string((*fields)[0]), *min_seq, std::string((*fields)[3]), *count};
}

// The epoch is a field of a newline-separated value: it must be one non-empty line.
void check_epoch(std::string_view epoch) {
    if (epoch.empty() || epoch.find('\n') != std::string_view::npos) {
        throw std::invalid_argument("replication epoch must be one non-empty line");
    }
}

}  // namespace

std::string cursor_key(ListName list) {
    return "cursor/" + std::string(list_name(list));
}

std::string snapshot_progress_key(ListName list) {
    return "snapshot/" + std::string(list_name(list));
}

std::optional<ReplicationCursor> read_cursor(const ReadTxn& txn, ListName list) {
    return read_cursor_in(txn, list);
}

std::optional<ReplicationCursor> read_cursor(const WriteTxn& txn, ListName list) {
    return read_cursor_in(txn, list);
}

void write_cursor(WriteTxn& txn, ListName list, const ReplicationCursor& cursor) {
    check_epoch(cursor.epoch);
    txn.put(Db::meta, cursor_key(list), cursor.epoch + "\n" + std::to_string(cursor.seq));
}

std::optional<SnapshotProgress> read_snapshot_progress(const ReadTxn& txn, ListName list) {
    return read_progress(txn, list);
}

std::optional<SnapshotProgress> read_snapshot_progress(const WriteTxn& txn, ListName list) {
    return read_progress(txn, list);
}

void write_snapshot_progress(WriteTxn& txn, ListName list, const SnapshotProgress& progress) {
    check_epoch(progress.source_epoch);
    txn.put(Db::meta, snapshot_progress_key(list),
            progress.source_epoch + "\n" + std::to_string(progress.min_seq) + "\n" +
                std::to_string(progress.count) + "\n" + progress.last_item);
}

}  // namespace piotd::storage
