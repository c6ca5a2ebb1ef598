#include "daemon/replication/snapshot_encoder.hpp"

#include "protocol/documents/replication_feed.hpp"

namespace piotd::daemon {

SnapshotEncoder::SnapshotEncoder(std::unique_ptr<storage::SnapshotReader> reader,
                                 storage::ListName list, std::shared_ptr<StreamSlots::Slot> slot)
    : reader_(std::move(reader)), list_(list), slot_(std::move(slot)) {}

bool SnapshotEncoder::next(std::string& out, std::size_t budget) {
    const storage::ListVersion& version = reader_->header();
    if (!header_sent_) {
        out += protocol::encode_snapshot_header({std::string(storage::list_name(list_)),
                                                 version.epoch, version.seq, version.doc_count});
        header_sent_ = true;
    }
    while (out.size() < budget) {
        if (!reader_->next(item_)) {
            out += protocol::encode_snapshot_trailer(count_);
            return false;
        }
        protocol::append_snapshot_item(out, item_);
        ++count_;
    }
    if (slot_) slot_->progress(count_, version.doc_count);
    return true;
}

}  // namespace piotd::daemon
