#include "tests/fakes/fake_body_source.hpp"

#include "protocol/documents/replication_feed.hpp"

namespace piotd::fakes {

namespace {

// Lines a snapshot client must reject: not JSON, an unterminated object, a number.
constexpr std::string_view kGarbageLines =
    "this is not JSON\n"
    "{\"list\":\"blocked_cis\",\"epoch\":\n"
    "42\n";

}  // namespace

SnapshotSource::SnapshotSource(SnapshotView view, const Fault& fault, FakeStats& stats)
    : view_(std::move(view)), fault_(fault), stats_(stats) {}

bool SnapshotSource::append_line(std::string& out, std::string_view line) {
    if (fault_.mode == FaultMode::truncate && fault_.after_bytes > 0 &&
        produced_ + line.size() > fault_.after_bytes) {
        return false;
    }
    out.append(line);
    produced_ += line.size();
    if (fault_.mode == FaultMode::garbage && !garbage_sent_ && produced_ >= fault_.after_bytes) {
        out.append(kGarbageLines);
        produced_ += kGarbageLines.size();
        garbage_sent_ = true;
    }
    return true;
}

bool SnapshotSource::next(std::string& out, std::size_t budget) {
    if (done_) return false;
    const std::size_t start = out.size();
    if (!header_sent_) {
        header_sent_ = true;
        if (!append_line(out, protocol::encode_snapshot_header(view_.header))) {
            done_ = true;
            return false;
        }
    }
    std::string_view item;
    std::uint64_t items = 0;
    while (out.size() - start < budget) {
        if (!view_.cursor.next(item)) {
            done_ = true;
            if (fault_.mode != FaultMode::truncate) {
                out.append(protocol::encode_snapshot_trailer(count_));
                stats_.snapshots_completed.fetch_add(1);
            }
            break;
        }
        line_.clear();
        protocol::append_snapshot_item(line_, item);
        if (!append_line(out, line_)) {
            done_ = true;
            break;
        }
        ++count_;
        ++items;
    }
    stats_.items_streamed.fetch_add(items);
    return !done_;
}

bool ItemLinesSource::next(std::string& out, std::size_t budget) {
    const std::size_t start = out.size();
    std::string_view item;
    while (out.size() - start < budget) {
        if (!cursor_.next(item)) return false;
        out.append(item);
        out += '\n';
    }
    return true;
}

}  // namespace piotd::fakes
