#include "daemon/bounded_worker_pool.hpp"

#include "daemon/log.hpp"

namespace piotd::daemon {

BoundedWorkerPool::BoundedWorkerPool(unsigned threads, std::size_t queue_limit)
    : capacity_(threads + queue_limit) {
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

BoundedWorkerPool::~BoundedWorkerPool() {
    stop();
}

bool BoundedWorkerPool::try_submit(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() + running_ >= capacity_) return false;
        queue_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
}

void BoundedWorkerPool::stop() {
    std::deque<std::function<void()>> dropped;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        dropped.swap(queue_);
    }
    wake_.notify_all();
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
}

std::size_t BoundedWorkerPool::in_flight() const {
    std::lock_guard lock(mutex_);
    return queue_.size() + running_;
}

void BoundedWorkerPool::work() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            job = std::move(queue_.front());
            queue_.pop_front();
            ++running_;
        }
        try {
            job();
        } catch (const std::exception& e) {
            log_error("worker", e.what());
        }
        std::lock_guard lock(mutex_);
        --running_;
    }
}

}  // namespace piotd::daemon
