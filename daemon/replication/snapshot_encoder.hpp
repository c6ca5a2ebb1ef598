// The body of GET /api/v1/replication/snapshot (docs/replication.md): the header line, the items
// in key order from one LMDB read transaction, then the trailer with the count. A ChunkSource
// that does the LMDB reads and the encoding in next(), so it is run on the serving workers
// (background_chunk_source.hpp), not on an I/O thread. It keeps its stream's slot
// (stream_slots.hpp) and reports its progress there for Retry-After.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "daemon/http/chunk_source.hpp"
#include "daemon/replication/stream_slots.hpp"
#include "storage/list_name.hpp"
#include "storage/snapshot_reader.hpp"

namespace piotd::daemon {

class SnapshotEncoder : public ChunkSource {
public:
    SnapshotEncoder(std::unique_ptr<storage::SnapshotReader> reader, storage::ListName list,
                    std::shared_ptr<StreamSlots::Slot> slot);

    bool next(std::string& out, std::size_t budget) override;
    // Items encoded so far.
    std::uint64_t items() const { return count_; }

private:
    std::unique_ptr<storage::SnapshotReader> reader_;
    storage::ListName list_;
    std::shared_ptr<StreamSlots::Slot> slot_;
    std::string item_;
    std::uint64_t count_ = 0;
    bool header_sent_ = false;
};

}  // namespace piotd::daemon
