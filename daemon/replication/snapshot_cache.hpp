// The shared encodings of each list's current snapshot (encoded_snapshot.hpp), kept while tills
// pull them and for kKeepIdle after the last stream of one ended: tills refused with Retry-After
// come back within seconds and find the bytes made. An encoding is for one version (epoch, seq):
// a list that changed gets a new one, and streams of the old one finish on it. At most one per
// list is kept here; older ones live only as long as their streams.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "daemon/replication/encoded_snapshot.hpp"
#include "daemon/replication/serving_workers.hpp"
#include "storage/list_name.hpp"
#include "storage/snapshot_reader.hpp"

namespace piotd::daemon {

class SnapshotCache {
public:
    static constexpr std::chrono::seconds kKeepIdle{10};

    // Encodings are made in pieces of `piece_bytes` on `workers`.
    SnapshotCache(std::size_t piece_bytes, ServingWorkers& workers)
        : piece_bytes_(piece_bytes), workers_(workers) {}

    // The encoding of what `reader` sees: the kept one when it is of the same version (`reader`
    // is left to the caller), or a new one made from `reader` (taken). Null, with `reader` left,
    // when no in-memory file can be made.
    std::shared_ptr<EncodedSnapshot> share(
        storage::ListName list, std::unique_ptr<storage::SnapshotReader>& reader,
        std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
    // Drops the encodings no stream has read for kKeepIdle. Called every second.
    void expire(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
    // Bytes of encoded snapshots kept here.
    std::uint64_t bytes() const;

private:
    struct Entry {
        std::shared_ptr<EncodedSnapshot> snapshot;
        std::chrono::steady_clock::time_point last_used;
    };
    std::size_t piece_bytes_;
    ServingWorkers& workers_;
    mutable std::mutex mutex_;
    std::array<Entry, storage::kAllLists.size()> entries_;
};

}  // namespace piotd::daemon
