#include "daemon/replication/replication_serving.hpp"

#include <string>

#include "daemon/http/json_error.hpp"
#include "daemon/replication/background_chunk_source.hpp"
#include "daemon/replication/encoded_snapshot_source.hpp"
#include "daemon/replication/snapshot_encoder.hpp"

namespace piotd::daemon {

ReplicationServing::ReplicationServing(ReplicationServingOptions options)
    : options_(options),
      slots_(options.max_snapshot_streams),
      cache_(options.piece_bytes, workers_) {}

ReplicationServing::~ReplicationServing() {
    stop();
}

void ReplicationServing::start(MetricsRegistry* metrics) {
    Counter* starved = nullptr;
    if (metrics != nullptr) {
        starved = &metrics->counter("piotd_replication_serving_starved_total",
                                    "times a replication serving thread, starved at SCHED_IDLE, "
                                    "was lifted to SCHED_BATCH");
        metrics->add_collector([this](std::vector<MetricSample>& out) {
            const char* refused_help =
                "replication requests refused with 503 because the serving bound was reached";
            out.push_back({"piotd_replication_refused_total",
                           refused_help,
                           MetricType::counter,
                           {{"request", "snapshot"}},
                           static_cast<double>(refused_streams_.load())});
            out.push_back({"piotd_replication_refused_total",
                           refused_help,
                           MetricType::counter,
                           {{"request", "changes"}},
                           static_cast<double>(refused_pages_.load())});
            const char* served_help = "replication snapshots and pages of changes served";
            out.push_back({"piotd_replication_served_total",
                           served_help,
                           MetricType::counter,
                           {{"request", "snapshot"}},
                           static_cast<double>(served_streams_.load())});
            out.push_back({"piotd_replication_served_total",
                           served_help,
                           MetricType::counter,
                           {{"request", "changes"}},
                           static_cast<double>(served_pages_.load())});
            out.push_back({"piotd_replication_snapshot_cache_bytes",
                           "bytes of snapshots encoded once and shared by the tills pulling them",
                           MetricType::gauge,
                           {},
                           static_cast<double>(cache_.bytes())});
            out.push_back({"piotd_replication_snapshot_streams",
                           "snapshot streams being served now (at most max_snapshot_streams)",
                           MetricType::gauge,
                           {},
                           static_cast<double>(slots_.active())});
        });
    }
    workers_.start(options_.threads, starved, [this] { cache_.expire(); });
}

void ReplicationServing::stop() {
    workers_.stop();
}

std::shared_ptr<StreamSlots::Slot> ReplicationServing::open_stream() {
    auto slot = slots_.try_acquire();
    if (slot) {
        served_streams_.fetch_add(1, std::memory_order_relaxed);
    } else {
        refused_streams_.fetch_add(1, std::memory_order_relaxed);
    }
    return slot;
}

std::unique_ptr<ChunkSource> ReplicationServing::snapshot_body(
    storage::ListName list, std::unique_ptr<storage::SnapshotReader> reader, bool from_start,
    std::shared_ptr<StreamSlots::Slot> slot) {
    if (from_start) {
        if (auto shared = cache_.share(list, reader)) {
            // Copied on the I/O thread; only the encoding, once for every till, runs on the
            // workers, a few pieces ahead of the leading stream.
            return std::make_unique<EncodedSnapshotSource>(
                std::move(shared), std::move(slot), options_.piece_bytes, 4 * options_.piece_bytes);
        }
    }
    return in_background(
        std::make_unique<SnapshotEncoder>(std::move(reader), list, std::move(slot)));
}

std::unique_ptr<ChunkSource> ReplicationServing::in_background(std::unique_ptr<ChunkSource> inner) {
    return std::make_unique<BackgroundChunkSource>(workers_, std::move(inner),
                                                   options_.piece_bytes);
}

bool ReplicationServing::post_page(std::function<void()> job) {
    if (pending_pages_.fetch_add(1) >= options_.max_pending_pages) {
        pending_pages_.fetch_sub(1);
        refused_pages_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    const bool posted = workers_.post([this, job = std::move(job)] {
        // Counted down first: a page answered is no longer waiting, whatever the job does.
        pending_pages_.fetch_sub(1);
        job();
    });
    if (!posted) {
        pending_pages_.fetch_sub(1);
        refused_pages_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    served_pages_.fetch_add(1, std::memory_order_relaxed);
    return true;
}

Response ReplicationServing::streams_busy() const {
    const auto wait = slots_.retry_after();
    Response response =
        json_error(http::status::service_unavailable, ApiError::busy,
                   "all " + std::to_string(slots_.limit()) +
                       " snapshot streams are in use (max_snapshot_streams); retry after " +
                       std::to_string(wait.count()) + " s");
    response.set(http::field::retry_after, std::to_string(wait.count()));
    return response;
}

Response ReplicationServing::pages_busy() const {
    Response response = json_error(http::status::service_unavailable, ApiError::busy,
                                   "too many pages of changes are waiting; retry after 1 s");
    response.set(http::field::retry_after, "1");
    return response;
}

}  // namespace piotd::daemon
