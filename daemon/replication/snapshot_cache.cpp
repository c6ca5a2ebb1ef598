#include "daemon/replication/snapshot_cache.hpp"

#include <system_error>

#include "daemon/log.hpp"

namespace piotd::daemon {

std::shared_ptr<EncodedSnapshot> SnapshotCache::share(
    storage::ListName list, std::unique_ptr<storage::SnapshotReader>& reader,
    std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[static_cast<std::size_t>(list)];
    const storage::ListVersion& version = reader->header();
    if (entry.snapshot && entry.snapshot->version().epoch == version.epoch &&
        entry.snapshot->version().seq == version.seq) {
        entry.last_used = now;
        return entry.snapshot;
    }
    try {
        entry.snapshot = std::make_shared<EncodedSnapshot>(reader, list, piece_bytes_, workers_);
    } catch (const std::system_error& e) {
        log_warning("replication", std::string(e.what()) + "; this stream is encoded on its own");
        return nullptr;
    }
    entry.last_used = now;
    return entry.snapshot;
}

void SnapshotCache::expire(std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mutex_);
    for (Entry& entry : entries_) {
        if (!entry.snapshot) continue;
        // Streams hold it too: in use.
        if (entry.snapshot.use_count() > 1) {
            entry.last_used = now;
        } else if (now - entry.last_used >= kKeepIdle) {
            entry.snapshot.reset();
        }
    }
}

std::uint64_t SnapshotCache::bytes() const {
    std::lock_guard lock(mutex_);
    std::uint64_t total = 0;
    for (const Entry& entry : entries_) {
        if (entry.snapshot) total += entry.snapshot->size();
    }
    return total;
}

}  // namespace piotd::daemon
