// The replication client (docs/replication.md): a thread that keeps every list in step with the
// upstream — a snapshot first (resumable after kill -9), then pages of changes every sync period.
// It never holds a lock across network I/O: checks go on being answered from the last committed
// data, and a failed round changes nothing that was committed.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "daemon/local_module.hpp"
#include "daemon/metrics/metric_types.hpp"
#include "daemon/replication/upstream_client.hpp"
#include "daemon/status/upstream_health.hpp"
#include "storage/list_name.hpp"
#include "storage/replication_cursor.hpp"

namespace piotd::daemon {

struct ReplicatorOptions {
    UpstreamUrl url;
    std::string user;
    std::string password;
    std::chrono::seconds period{60};
    std::chrono::milliseconds timeout{30'000};  // one network operation
    std::size_t snapshot_batch_items = 50'000;
    std::string ca_file;               // https://: an extra CA besides the system's (--ca-file)
    UpstreamHealth* health = nullptr;  // status page and metrics; optional
    // piotd_replication_starved_total: times the thread was lifted off SCHED_IDLE; optional.
    Counter* starved = nullptr;
};

class Replicator {
public:
    Replicator(LocalModule& module, ReplicatorOptions options);
    ~Replicator();
    Replicator(const Replicator&) = delete;
    Replicator& operator=(const Replicator&) = delete;

    void start();
    void stop();
    // Wakes the thread for a round now (piotctl sync now; tests).
    void sync_now();

private:
    void run();
    bool sync_round();
    void record_error(std::string_view kind, std::string_view message);
    void sync_list(storage::ListName list);
    // sync_list() of a list the module can do without (learned): an upstream that does not serve
    // it, or any failure of it, is logged and never fails the round.
    void sync_optional_list(storage::ListName list);
    void load_snapshot(storage::ListName list);
    // false: the upstream's log cannot serve our cursor (410), a snapshot is needed.
    bool catch_up(storage::ListName list, storage::ReplicationCursor cursor);
    void wait(std::chrono::milliseconds delay);

    LocalModule& module_;
    ReplicatorOptions options_;
    UpstreamClient client_;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool sync_requested_ = false;
    std::thread thread_;
    // Per list: the upstream answered that it does not serve it (logged once, not every round).
    std::array<bool, storage::kAllLists.size()> unserved_{};
    // Set by a round the upstream refused as busy: how long it asked us to wait (Retry-After).
    std::optional<std::chrono::seconds> busy_retry_after_;
    std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace piotd::daemon
