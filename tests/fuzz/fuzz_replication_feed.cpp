// libFuzzer target: the replication feed decoders (protocol/documents/replication_feed.hpp). Whatever
// decodes must re-encode to something that decodes to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/documents/replication_feed.hpp"

namespace {

using namespace piotd::protocol;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
}

std::string_view strip_newline(std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    return line;
}

bool same(const SnapshotLine& a, const SnapshotLine& b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
        case SnapshotLineKind::header:
            return a.header.list == b.header.list && a.header.epoch == b.header.epoch &&
                   a.header.seq == b.header.seq && a.header.doc_count == b.header.doc_count;
        case SnapshotLineKind::item:
            return a.item == b.item;
        case SnapshotLineKind::trailer:
            return a.count == b.count;
    }
    return false;
}

bool same(const ChangePage& a, const ChangePage& b) {
    if (a.list != b.list || a.epoch != b.epoch || a.seq != b.seq || a.doc_count != b.doc_count ||
        a.more != b.more || a.changes.size() != b.changes.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.changes.size(); ++i) {
        const Change& x = a.changes[i];
        const Change& y = b.changes[i];
        if (x.seq != y.seq || x.op != y.op || x.item != y.item) return false;
    }
    return true;
}

void snapshot_line(std::string_view input) {
    SnapshotLine line;
    if (!decode_snapshot_line(input, line).ok) return;
    std::string encoded;
    switch (line.kind) {
        case SnapshotLineKind::header:
            encoded = encode_snapshot_header(line.header);
            break;
        case SnapshotLineKind::item:
            append_snapshot_item(encoded, line.item);
            break;
        case SnapshotLineKind::trailer:
            encoded = encode_snapshot_trailer(line.count);
            break;
    }
    if (encoded.empty() || encoded.back() != '\n') fail("encoded snapshot line lacks '\\n'");
    if (strip_newline(encoded).find('\n') != std::string_view::npos) {
        fail("encoded snapshot line holds a raw newline");
    }
    SnapshotLine again;
    const FeedDecode decoded = decode_snapshot_line(strip_newline(encoded), again);
    if (!decoded.ok) fail("re-encoded snapshot line does not decode");
    if (!same(line, again)) fail("re-encoded snapshot line decodes to another value");
}

void change_page(std::string_view input) {
    ChangePage page;
    if (!decode_change_page(input, page).ok) return;
    const std::string encoded = encode_change_page(page);
    ChangePage again;
    if (!decode_change_page(encoded, again).ok) fail("re-encoded change page does not decode");
    if (!same(page, again)) fail("re-encoded change page decodes to another value");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    snapshot_line(input);
    change_page(input);
    return 0;
}
