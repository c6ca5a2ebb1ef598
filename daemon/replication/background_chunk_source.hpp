// A ChunkSource whose pieces are made on the serving workers (serving_workers.hpp) instead of the
// I/O thread that sends them (a snapshot resumed with after=, encoded for its stream alone; tests
// use it for any source): the I/O thread only swaps a finished piece into its chunk and
// writes it, which is cheap, while the reading and encoding behind it (LMDB, JSON) run at
// background priority. One piece is made ahead, so the next one is usually ready by the time
// the socket has taken the last: memory stays at two pieces per stream.
//
// When no piece is ready, next() returns an empty piece and on_ready() parks the connection
// until the worker has one (chunk_source.hpp): the I/O thread never waits for a worker.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "daemon/http/chunk_source.hpp"
#include "daemon/replication/serving_workers.hpp"

namespace piotd::daemon {

class BackgroundChunkSource : public ChunkSource {
public:
    // Starts making the first piece at once. `inner` is called on the workers only, one piece of
    // about `piece_bytes` at a time; it is destroyed there too, or here if no piece is under way.
    BackgroundChunkSource(ServingWorkers& workers, std::unique_ptr<ChunkSource> inner,
                          std::size_t piece_bytes);
    // The connection is gone: a piece under way is dropped when done, none more is made.
    ~BackgroundChunkSource() override;

    // Hands over the piece made ahead (the session's `budget` does not apply: pieces are of the
    // size given above) and starts the next one.
    bool next(std::string& out, std::size_t budget) override;
    void on_ready(std::function<void()> ready) override;

private:
    struct Shared;
    static void make_piece(const std::shared_ptr<Shared>& shared);
    std::shared_ptr<Shared> shared_;
};

}  // namespace piotd::daemon
