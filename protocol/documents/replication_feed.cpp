#include "protocol/documents/replication_feed.hpp"

#include <rapidjson/document.h>

#include "protocol/json/json_writer.hpp"
#include "protocol/json/upstream_json.hpp"

namespace piotd::protocol {

namespace {

constexpr auto kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag;

FeedDecode fail(std::string why) {
    return {false, std::move(why)};
}

bool read_u64(const rapidjson::Value& object, const char* key, std::uint64_t& out) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd() || !it->value.IsUint64()) return false;
    out = it->value.GetUint64();
    return true;
}

bool read_string(const rapidjson::Value& object, const char* key, std::string& out,
                 std::size_t max_length) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd() || !it->value.IsString()) return false;
    if (it->value.GetStringLength() > max_length) return false;
    out.assign(it->value.GetString(), it->value.GetStringLength());
    return true;
}

bool valid_item(const rapidjson::Value& value) {
    return value.IsString() && value.GetStringLength() > 0 &&
           value.GetStringLength() <= kMaxFeedItem;
}

std::string finish(JsonBuffer& buffer) {
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

FeedDecode decode_snapshot_line(std::string_view line, SnapshotLine& out) {
    if (json_nesting_depth(line) > kMaxUpstreamJsonDepth)
        return fail("snapshot line nests too deep");
    rapidjson::Document document;
    document.Parse<kParseFlags>(json_data(line), line.size());
    if (document.HasParseError()) return fail("snapshot line is not JSON");
    if (document.IsString()) {
        if (!valid_item(document)) return fail("snapshot item is empty or too long");
        out.kind = SnapshotLineKind::item;
        out.item.assign(document.GetString(), document.GetStringLength());
        return {true, {}};
    }
    if (!document.IsObject()) return fail("snapshot line is neither an item nor an object");
    if (document.HasMember("end")) {
        if (!document["end"].IsBool() || !document["end"].GetBool() ||
            !read_u64(document, "count", out.count)) {
            return fail("snapshot trailer needs end:true and a count");
        }
        out.kind = SnapshotLineKind::trailer;
        return {true, {}};
    }
    out.kind = SnapshotLineKind::header;
    if (!read_string(document, "list", out.header.list, 64) ||
        !read_string(document, "epoch", out.header.epoch, 64) ||
        !read_u64(document, "seq", out.header.seq) ||
        !read_u64(document, "docCount", out.header.doc_count)) {
        return fail("snapshot header needs list, epoch, seq and docCount");
    }
    return {true, {}};
}

std::string encode_snapshot_header(const SnapshotHeader& header) {
    JsonBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    write_key(writer, "list");
    write_string(writer, header.list);
    write_key(writer, "epoch");
    write_string(writer, header.epoch);
    write_key(writer, "seq");
    writer.Uint64(header.seq);
    write_key(writer, "docCount");
    writer.Uint64(header.doc_count);
    writer.EndObject();
    return finish(buffer) + "\n";
}

void append_snapshot_item(std::string& out, std::string_view item) {
    JsonBuffer buffer;
    JsonWriter writer(buffer);
    write_string(writer, item);
    out.append(buffer.GetString(), buffer.GetSize());
    out += '\n';
}

std::string encode_snapshot_trailer(std::uint64_t count) {
    return R"({"end":true,"count":)" + std::to_string(count) + "}\n";
}

void write_list_state_fields(JsonWriter& writer, const ListState& state) {
    write_key(writer, "epoch");
    write_string(writer, state.epoch);
    write_key(writer, "seq");
    writer.Uint64(state.seq);
    write_key(writer, "docCount");
    writer.Uint64(state.doc_count);
    write_key(writer, "oldestSeq");
    writer.Uint64(state.oldest_seq);
}

FeedDecode decode_change_page(std::string_view body, ChangePage& out) {
    if (json_nesting_depth(body) > kMaxUpstreamJsonDepth) return fail("change page nests too deep");
    rapidjson::Document document;
    document.Parse<kParseFlags>(json_data(body), body.size());
    if (document.HasParseError() || !document.IsObject())
        return fail("change page is not a JSON object");
    if (!read_string(document, "list", out.list, 64) ||
        !read_string(document, "epoch", out.epoch, 64) || !read_u64(document, "seq", out.seq) ||
        !read_u64(document, "docCount", out.doc_count)) {
        return fail("change page needs list, epoch, seq and docCount");
    }
    const auto more = document.FindMember("more");
    out.more = more != document.MemberEnd() && more->value.IsBool() && more->value.GetBool();
    const auto changes = document.FindMember("changes");
    if (changes == document.MemberEnd() || !changes->value.IsArray()) {
        return fail("change page needs a changes array");
    }
    out.changes.clear();
    out.changes.reserve(changes->value.Size());
    std::uint64_t previous = 0;
    for (const auto& value : changes->value.GetArray()) {
        if (!value.IsObject()) return fail("a change is not an object");
        Change change;
        std::string op;
        if (!read_u64(value, "seq", change.seq) || !read_string(value, "op", op, 8)) {
            return fail("a change needs seq and op");
        }
        const auto item = value.FindMember("item");
        if (item == value.MemberEnd() || !valid_item(item->value)) {
            return fail("a change needs a non-empty item");
        }
        if (op == "add") {
            change.op = ChangeOp::add;
        } else if (op == "remove") {
            change.op = ChangeOp::remove;
        } else {
            return fail("a change's op must be add or remove");
        }
        if (change.seq <= previous || change.seq > out.seq) {
            return fail("change seq values must increase and not pass the page's seq");
        }
        previous = change.seq;
        change.item.assign(item->value.GetString(), item->value.GetStringLength());
        out.changes.push_back(std::move(change));
    }
    return {true, {}};
}

std::string encode_change_page(const ChangePage& page) {
    JsonBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    write_key(writer, "list");
    write_string(writer, page.list);
    write_key(writer, "epoch");
    write_string(writer, page.epoch);
    write_key(writer, "seq");
    writer.Uint64(page.seq);
    write_key(writer, "docCount");
    writer.Uint64(page.doc_count);
    write_key(writer, "more");
    writer.Bool(page.more);
    write_key(writer, "changes");
    writer.StartArray();
    for (const Change& change : page.changes) {
        writer.StartObject();
        write_key(writer, "seq");
        writer.Uint64(change.seq);
        write_key(writer, "op");
        write_string(writer, change.op == ChangeOp::add ? "add" : "remove");
        write_key(writer, "item");
        write_string(writer, change.item);
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return finish(buffer);
}

}  // namespace piotd::protocol
