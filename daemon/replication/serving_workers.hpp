// The threads that make a store's replication answers (docs/replication.md, "Serving many tills
// at once"): snapshots are read from LMDB and encoded here (once for every till that pulls the
// same one), and so are the pages of changes, never on an I/O thread, so a fan-out of a hundred
// tills cannot take the CPU the store's own checks need. They run as the till's replication
// thread does: SCHED_IDLE at nice 19, disk reads at best effort level 7
// (background_priority.hpp), each with a StarvationWatch that lifts it when other work keeps
// every CPU busy, so serving still ends.
//
// Jobs run in the order they were posted, one piece of a snapshot per job (a shared encoding
// re-posts itself while streams want more; a stream encoded alone posts its next piece once the
// socket has taken the last), so snapshots take turns piece by piece and a page of changes waits
// behind at most one piece of each.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "daemon/metrics/metric_types.hpp"

namespace piotd::daemon {

class ServingWorkers {
public:
    ServingWorkers() = default;
    ~ServingWorkers();
    ServingWorkers(const ServingWorkers&) = delete;
    ServingWorkers& operator=(const ServingWorkers&) = delete;

    // Starts `threads` threads named piotd-replserve. `starved` (optional) counts the lifts of
    // their starvation watches. `every_second` (optional) is run by the first thread about once
    // a second, between jobs (housekeeping: the snapshot cache's expiry).
    void start(unsigned threads, Counter* starved, std::function<void()> every_second = {});
    // Runs `job` on a worker. false once stopped (the job is dropped).
    bool post(std::function<void()> job);
    // Lets the running jobs finish, drops the queued ones (on this thread), joins. Idempotent.
    // Call it before the HTTP server stops: a job wakes a connection through its io_context.
    void stop();

private:
    void work(Counter* starved, bool housekeeper);

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
    std::function<void()> every_second_;
};

}  // namespace piotd::daemon
