// One snapshot of a list, encoded once and read by every till that pulls it (docs/replication.md,
// "Serving many tills at once"). A hundred tills pulling the same 1.1 M list used to cost a
// hundred LMDB walks and JSON encodings (~0.1 s of CPU each); now the bytes are made once, into
// an anonymous in-memory file (memfd: not mapped, so not in the daemon's RSS), and each stream
// copies its pieces from there.
//
// The encoding runs on the serving workers, one piece per job, a few pieces ahead of the stream
// that is furthest along: it never runs on an I/O thread, and it costs the workers ~0.1 s of CPU
// per snapshot whatever the number of tills. Copying an encoded piece (a pread from memory, a few
// µs for 64 KiB) is done by the stream itself, on its I/O thread, next to the socket write that
// costs more: a stream needs no worker, so tills are not slowed by workers that checks keep off
// the CPU. A stream that has caught up with the encoding waits for the next piece without holding
// its thread (when_encoded). The LMDB read transaction the encoding walks lives until the last
// piece is encoded, not as long as the slowest stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "daemon/replication/serving_workers.hpp"
#include "daemon/replication/snapshot_encoder.hpp"
#include "storage/list_name.hpp"
#include "storage/list_version.hpp"
#include "storage/snapshot_reader.hpp"

namespace piotd::daemon {

class EncodedSnapshot : public std::enable_shared_from_this<EncodedSnapshot> {
public:
    // Takes `reader` (its transaction is what gets encoded). Throws std::system_error, leaving
    // `reader` to the caller, when no in-memory file can be made (the caller encodes alone).
    EncodedSnapshot(std::unique_ptr<storage::SnapshotReader>& reader, storage::ListName list,
                    std::size_t piece_bytes, ServingWorkers& workers);
    ~EncodedSnapshot();
    EncodedSnapshot(const EncodedSnapshot&) = delete;
    EncodedSnapshot& operator=(const EncodedSnapshot&) = delete;

    storage::ListName list() const { return list_; }
    const storage::ListVersion& version() const { return version_; }

    struct Read {
        std::size_t bytes = 0;  // appended
        bool last = false;      // they end the snapshot
    };
    // Appends up to `budget` bytes from `offset` to `out`, of what is encoded already (nothing
    // when `offset` is where the encoding stands). Throws when the encoding failed.
    Read read(std::uint64_t offset, std::string& out, std::size_t budget) const;
    // Wants the bytes up to `offset` encoded: starts the encoding on the workers if it is not
    // under way and has not got that far.
    void encode_ahead(std::uint64_t offset);
    // Calls `wake` once there is something to read at `offset` (or the encoding failed): at once
    // if there is. From any thread; `wake` is called on a worker, or on the calling thread.
    void when_encoded(std::uint64_t offset, std::function<void()> wake);

    // How far `offset` is through the snapshot (0..1), estimated from the bytes per item so far.
    double fraction(std::uint64_t offset) const;
    // Bytes encoded so far.
    std::uint64_t size() const;

private:
    void encode_job();
    // One piece into the file; false with failure_ set on an error. The job's own.
    bool encode_piece();
    // With mutex_ held: the waiters that can go now, taken out of waiters_.
    std::vector<std::function<void()>> take_ready_waiters();

    storage::ListName list_;
    storage::ListVersion version_;
    std::size_t piece_bytes_;
    ServingWorkers& workers_;
    int fd_ = -1;

    // Used by the one encode job under way only (job_queued_).
    std::unique_ptr<SnapshotEncoder> encoder_;  // released with the last piece
    std::string piece_;

    mutable std::mutex mutex_;  // guards what follows
    std::uint64_t written_ = 0;
    std::uint64_t items_ = 0;
    bool complete_ = false;
    std::exception_ptr failure_;
    std::uint64_t wanted_ = 0;  // encode at least this far
    bool job_queued_ = false;
    std::vector<std::pair<std::uint64_t, std::function<void()>>> waiters_;
};

}  // namespace piotd::daemon
