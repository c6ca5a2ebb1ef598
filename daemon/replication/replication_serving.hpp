// How a piotd serves replication to the tills below it without taking its own checks' CPU or I/O
// threads (docs/replication.md, "Serving many tills at once"): the tills that pull the same
// snapshot share one encoding of it, made once on background workers (snapshot_cache.hpp,
// encoded_snapshot.hpp); a resumed snapshot and every page of changes are made on the workers
// too (serving_workers.hpp). At most max_snapshot_streams snapshots are streamed at once
// (stream_slots.hpp) and at most max_pending_pages pages of changes wait for a worker; a request
// past either bound gets 503 with Retry-After, which the till's replicator honours. Refusals are
// counted in /metrics.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "daemon/http/chunk_source.hpp"
#include "daemon/http/http_types.hpp"
#include "daemon/metrics/metrics_registry.hpp"
#include "daemon/replication/serving_workers.hpp"
#include "daemon/replication/snapshot_cache.hpp"
#include "daemon/replication/stream_slots.hpp"
#include "storage/list_name.hpp"
#include "storage/snapshot_reader.hpp"

namespace piotd::daemon {

struct ReplicationServingOptions {
    std::size_t max_snapshot_streams = 8;  // [replication] max_snapshot_streams
    unsigned threads = 2;                  // serving workers
    std::size_t max_pending_pages = 64;    // pages of changes queued or being made
    // Snapshot piece (one HTTP chunk, one socket write on an I/O thread): what the session asks
    // for. 128 KiB halved the I/O threads' wake-ups but doubled the check's p99 during a fan-out
    // (a check waits behind the writes queued before it on its thread; bench/fanout.sh).
    std::size_t piece_bytes = 64 * 1024;
};

class ReplicationServing {
public:
    explicit ReplicationServing(ReplicationServingOptions options = {});
    ~ReplicationServing();
    ReplicationServing(const ReplicationServing&) = delete;
    ReplicationServing& operator=(const ReplicationServing&) = delete;

    // Starts the workers and adds the metrics to `metrics` (null: none). Before the server starts.
    void start(MetricsRegistry* metrics);
    // Before the server stops (a worker wakes connections through their io_context).
    void stop();

    // A place for one more snapshot stream, or null (counted as refused) when all are taken.
    std::shared_ptr<StreamSlots::Slot> open_stream();
    // The body of a snapshot stream that holds `slot`: copied from the shared encoding of the
    // list's version when it starts at the first item (`reader` may then go unused; the encoding
    // runs on the workers), else encoded for this stream alone from `reader` on the workers.
    std::unique_ptr<ChunkSource> snapshot_body(storage::ListName list,
                                               std::unique_ptr<storage::SnapshotReader> reader,
                                               bool from_start,
                                               std::shared_ptr<StreamSlots::Slot> slot);
    // `inner` made piece by piece on the workers.
    std::unique_ptr<ChunkSource> in_background(std::unique_ptr<ChunkSource> inner);
    // Runs `job` (which makes a page of changes) on a worker; false (counted as refused) when
    // max_pending_pages are already waiting.
    bool post_page(std::function<void()> job);

    // The 503 answers, with Retry-After.
    Response streams_busy() const;
    Response pages_busy() const;

    std::size_t active_streams() const { return slots_.active(); }
    std::uint64_t refused_streams() const { return refused_streams_.load(); }
    std::uint64_t refused_pages() const { return refused_pages_.load(); }

private:
    ReplicationServingOptions options_;
    ServingWorkers workers_;
    StreamSlots slots_;
    SnapshotCache cache_;
    std::atomic<std::size_t> pending_pages_{0};
    std::atomic<std::uint64_t> refused_streams_{0};
    std::atomic<std::uint64_t> refused_pages_{0};
    std::atomic<std::uint64_t> served_streams_{0};
    std::atomic<std::uint64_t> served_pages_{0};
};

}  // namespace piotd::daemon
