// One till's stream of a shared EncodedSnapshot (encoded_snapshot.hpp): copies its pieces from
// the in-memory file, from the start to the trailer, and reports its progress to its stream slot
// for Retry-After. Its next() may encode a piece (the first stream to need it does), so it runs
// on the serving workers like any other snapshot source (background_chunk_source.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "daemon/http/chunk_source.hpp"
#include "daemon/replication/encoded_snapshot.hpp"
#include "daemon/replication/stream_slots.hpp"

namespace piotd::daemon {

class EncodedSnapshotSource : public ChunkSource {
public:
    EncodedSnapshotSource(std::shared_ptr<EncodedSnapshot> snapshot,
                          std::shared_ptr<StreamSlots::Slot> slot)
        : snapshot_(std::move(snapshot)), slot_(std::move(slot)) {}

    bool next(std::string& out, std::size_t budget) override {
        const std::size_t before = out.size();
        const bool more = snapshot_->read(offset_, out, budget);
        offset_ += out.size() - before;
        if (slot_) slot_->progress(snapshot_->fraction(offset_));
        return more;
    }

private:
    std::shared_ptr<EncodedSnapshot> snapshot_;
    std::shared_ptr<StreamSlots::Slot> slot_;
    std::uint64_t offset_ = 0;
};

}  // namespace piotd::daemon
