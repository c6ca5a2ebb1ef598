// The replication wire format of docs/replication.md, as pure encoders and decoders: the
// snapshot stream (one JSON value per line: header, items, trailer) and a page of changes.
// Everything that arrives here is hostile until decoded: every field is type- and range-checked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/json/json_writer.hpp"

namespace piotd::protocol {

struct SnapshotHeader {
    std::string list;
    std::string epoch;
    std::uint64_t seq = 0;
    std::uint64_t doc_count = 0;
};

enum class SnapshotLineKind : std::uint8_t { header, item, trailer };

struct SnapshotLine {
    SnapshotLineKind kind = SnapshotLineKind::item;
    SnapshotHeader header;    // kind == header
    std::string item;         // kind == item
    std::uint64_t count = 0;  // kind == trailer
};

struct FeedDecode {
    bool ok = false;
    std::string error;  // why the input was rejected
};

// One line without its '\n'. Items longer than kMaxFeedItem are rejected.
inline constexpr std::size_t kMaxFeedItem = 512;
FeedDecode decode_snapshot_line(std::string_view line, SnapshotLine& out);

std::string encode_snapshot_header(const SnapshotHeader& header);    // with '\n'
void append_snapshot_item(std::string& out, std::string_view item);  // with '\n'
std::string encode_snapshot_trailer(std::uint64_t count);            // with '\n'

// One list's entry in GET /api/v1/replication/state.
struct ListState {
    std::string_view epoch;
    std::uint64_t seq = 0;
    std::uint64_t doc_count = 0;
    std::uint64_t oldest_seq = 0;
};

// Writes "epoch", "seq", "docCount", "oldestSeq" into the object the caller has opened.
void write_list_state_fields(JsonWriter& writer, const ListState& state);

enum class ChangeOp : std::uint8_t { add, remove };

struct Change {
    std::uint64_t seq = 0;
    ChangeOp op = ChangeOp::add;
    std::string item;
};

struct ChangePage {
    std::string list;
    std::string epoch;
    std::uint64_t seq = 0;        // the server's current seq
    std::uint64_t doc_count = 0;  // the server's item count
    bool more = false;
    std::vector<Change> changes;  // strictly increasing seq
};

// Also checks that the changes' seq values increase strictly and do not exceed `seq`.
FeedDecode decode_change_page(std::string_view body, ChangePage& out);
std::string encode_change_page(const ChangePage& page);

}  // namespace piotd::protocol
