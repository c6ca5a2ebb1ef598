// One snapshot of a list, encoded once and read by every till that pulls it (docs/replication.md,
// "Serving many tills at once"). A hundred tills pulling the same 1.1 M list used to cost a
// hundred LMDB walks and JSON encodings (~0.1 s of CPU each); now the bytes are made once, into
// an anonymous in-memory file (memfd: not mapped, so not in the daemon's RSS), and each stream
// copies its pieces from there.
//
// Encoding is cooperative: a stream that reaches the end of what is encoded encodes the next
// piece itself (one at a time, under a mutex), so the file grows as fast as the fastest stream
// needs it and no stream waits for a job of its own. The LMDB read transaction the encoding walks
// lives until the last piece is encoded, not as long as the slowest stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>

#include "daemon/replication/snapshot_encoder.hpp"
#include "storage/list_name.hpp"
#include "storage/list_version.hpp"
#include "storage/snapshot_reader.hpp"

namespace piotd::daemon {

class EncodedSnapshot {
public:
    // Takes `reader` (its transaction is what gets encoded). Throws std::system_error, leaving
    // `reader` to the caller, when no in-memory file can be made (the caller encodes alone).
    EncodedSnapshot(std::unique_ptr<storage::SnapshotReader>& reader, storage::ListName list,
                    std::size_t piece_bytes);
    ~EncodedSnapshot();
    EncodedSnapshot(const EncodedSnapshot&) = delete;
    EncodedSnapshot& operator=(const EncodedSnapshot&) = delete;

    storage::ListName list() const { return list_; }
    const storage::ListVersion& version() const { return version_; }

    // Appends up to `budget` bytes from `offset` to `out`, encoding the next piece first when
    // `offset` is where the encoding stands. Returns false when they end the snapshot. Throws
    // when the encoding failed (for every reader). Call from the serving workers only.
    bool read(std::uint64_t offset, std::string& out, std::size_t budget);
    // How far `offset` is through the snapshot (0..1), estimated from the bytes per item so far.
    double fraction(std::uint64_t offset) const;
    // Bytes encoded so far.
    std::uint64_t size() const;

private:
    void encode_piece();

    storage::ListName list_;
    storage::ListVersion version_;
    std::size_t piece_bytes_;
    int fd_ = -1;

    std::mutex encoding_;  // held while a piece is encoded and appended; guards encoder_, piece_
    std::unique_ptr<SnapshotEncoder> encoder_;  // released with the last piece
    std::string piece_;

    mutable std::mutex mutex_;  // guards what follows
    std::uint64_t written_ = 0;
    std::uint64_t items_ = 0;
    bool complete_ = false;
    std::exception_ptr failure_;
};

}  // namespace piotd::daemon
