// A fixed set of threads for slow work that must not run on an I/O thread (image decoding), with
// a bounded backlog: when every thread is busy and the queue is full, try_submit() says no at
// once, so a flood of uploads gets 503 instead of piling up memory and latency.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace piotd::daemon {

class BoundedWorkerPool {
public:
    BoundedWorkerPool(unsigned threads, std::size_t queue_limit);
    ~BoundedWorkerPool();
    BoundedWorkerPool(const BoundedWorkerPool&) = delete;
    BoundedWorkerPool& operator=(const BoundedWorkerPool&) = delete;

    // Runs `job` on a worker; false when the pool is full or stopped (the job is not kept).
    bool try_submit(std::function<void()> job);
    // Finishes the running jobs, drops the queued ones, joins the threads. Idempotent.
    void stop();

    std::size_t in_flight() const;  // queued + running

private:
    void work();

    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    std::size_t running_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace piotd::daemon
