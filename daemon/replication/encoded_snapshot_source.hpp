// One till's stream of a shared EncodedSnapshot (encoded_snapshot.hpp), from the start to the
// trailer. It runs on the connection's I/O thread: it copies encoded pieces (a pread from memory)
// and never encodes. It keeps the encoding a few pieces ahead of itself, and when it has caught
// up, it parks the connection until the next piece is there (chunk_source.hpp). It reports its
// progress to its stream slot for Retry-After.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "daemon/http/chunk_source.hpp"
#include "daemon/replication/encoded_snapshot.hpp"
#include "daemon/replication/stream_slots.hpp"

namespace piotd::daemon {

class EncodedSnapshotSource : public ChunkSource {
public:
    // Pieces of `piece_bytes`; the encoding is asked to keep `ahead` bytes beyond this stream.
    EncodedSnapshotSource(std::shared_ptr<EncodedSnapshot> snapshot,
                          std::shared_ptr<StreamSlots::Slot> slot, std::size_t piece_bytes,
                          std::size_t ahead)
        : snapshot_(std::move(snapshot)),
          slot_(std::move(slot)),
          piece_bytes_(piece_bytes),
          ahead_(ahead) {}

    bool next(std::string& out, std::size_t /*budget*/) override {
        const EncodedSnapshot::Read read = snapshot_->read(offset_, out, piece_bytes_);
        offset_ += read.bytes;
        if (slot_) slot_->progress(snapshot_->fraction(offset_));
        if (read.last) return false;
        snapshot_->encode_ahead(offset_ + ahead_);
        return true;  // empty: caught up with the encoding, the session parks (on_ready)
    }
    void on_ready(std::function<void()> ready) override {
        snapshot_->when_encoded(offset_, std::move(ready));
    }

private:
    std::shared_ptr<EncodedSnapshot> snapshot_;
    std::shared_ptr<StreamSlots::Slot> slot_;
    std::size_t piece_bytes_;
    std::size_t ahead_;
    std::uint64_t offset_ = 0;
};

}  // namespace piotd::daemon
