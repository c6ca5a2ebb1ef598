#include "daemon/replication/background_chunk_source.hpp"

#include <exception>
#include <mutex>
#include <stdexcept>

namespace piotd::daemon {

struct BackgroundChunkSource::Shared {
    Shared(ServingWorkers& w, std::unique_ptr<ChunkSource> source, std::size_t bytes)
        : workers(w), inner(std::move(source)), piece_bytes(bytes) {}

    ServingWorkers& workers;
    // Used by the one job under way only (job_queued), without the mutex.
    std::unique_ptr<ChunkSource> inner;
    std::string making;
    const std::size_t piece_bytes;

    std::mutex mutex;
    std::string made;  // a finished piece, when made_ready
    bool made_ready = false;
    bool made_last = false;
    std::exception_ptr failure;
    bool job_queued = false;
    bool closed = false;         // the connection is gone
    bool finished = false;       // the last piece has been handed over
    std::function<void()> wake;  // the parked connection's, while it waits for a piece

    // With `mutex` held: makes sure a piece is being made. False when the workers are stopped.
    bool schedule(const std::shared_ptr<Shared>& self) {
        if (job_queued || made_ready || made_last || failure) return true;
        job_queued = true;
        if (workers.post([self] { make_piece(self); })) return true;
        job_queued = false;
        failure = std::make_exception_ptr(std::runtime_error("replication serving stopped"));
        return false;
    }
};

BackgroundChunkSource::BackgroundChunkSource(ServingWorkers& workers,
                                             std::unique_ptr<ChunkSource> inner,
                                             std::size_t piece_bytes)
    : shared_(std::make_shared<Shared>(workers, std::move(inner), piece_bytes)) {
    std::lock_guard lock(shared_->mutex);
    shared_->schedule(shared_);
}

BackgroundChunkSource::~BackgroundChunkSource() {
    std::lock_guard lock(shared_->mutex);
    shared_->closed = true;
    shared_->wake = nullptr;
    // Without a job under way the inner source (its LMDB transaction, its stream slot) goes now,
    // with the last reference; otherwise the job lets it go when it sees `closed`.
}

void BackgroundChunkSource::make_piece(const std::shared_ptr<Shared>& shared) {
    {
        std::lock_guard lock(shared->mutex);
        if (shared->closed) {
            shared->job_queued = false;
            shared->inner.reset();
            return;
        }
    }
    shared->making.clear();
    bool more = true;
    std::exception_ptr failure;
    try {
        more = shared->inner->next(shared->making, shared->piece_bytes);
    } catch (...) {
        failure = std::current_exception();
    }
    std::function<void()> wake;
    {
        std::lock_guard lock(shared->mutex);
        shared->job_queued = false;
        if (failure) {
            shared->failure = failure;
        } else if (!more || !shared->making.empty()) {
            shared->made.swap(shared->making);
            shared->made_ready = true;
            shared->made_last = !more;
        } else {
            // An empty piece that is not the end (not something the encoders do): try again.
            shared->schedule(shared);
        }
        if (shared->closed) {
            shared->inner.reset();
            return;
        }
        if (shared->made_ready || shared->failure) wake = std::move(shared->wake);
    }
    if (wake) wake();
}

bool BackgroundChunkSource::next(std::string& out, std::size_t /*budget*/) {
    std::lock_guard lock(shared_->mutex);
    if (shared_->failure) std::rethrow_exception(shared_->failure);
    if (!shared_->made_ready) {
        // The session parks on an empty piece and calls on_ready().
        if (!shared_->schedule(shared_)) std::rethrow_exception(shared_->failure);
        return true;
    }
    // The session cleared `out`: its buffer comes back here to be filled next time.
    out.swap(shared_->made);
    shared_->made_ready = false;
    if (shared_->made_last) {
        shared_->finished = true;
        return false;
    }
    if (!shared_->schedule(shared_)) std::rethrow_exception(shared_->failure);
    return true;
}

void BackgroundChunkSource::on_ready(std::function<void()> ready) {
    {
        std::lock_guard lock(shared_->mutex);
        // Finished: an empty last piece (the session waits for one more call) has nothing to
        // wait for.
        if (!shared_->made_ready && !shared_->failure && !shared_->finished) {
            shared_->wake = std::move(ready);
            return;
        }
    }
    ready();
}

}  // namespace piotd::daemon
