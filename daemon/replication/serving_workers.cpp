#include "daemon/replication/serving_workers.hpp"

#include <pthread.h>
#include <unistd.h>

#include <chrono>

#include "daemon/log.hpp"
#include "daemon/replication/background_priority.hpp"
#include "daemon/replication/starvation_watch.hpp"

namespace piotd::daemon {

ServingWorkers::~ServingWorkers() {
    stop();
}

void ServingWorkers::start(unsigned threads, Counter* starved, std::function<void()> every_second) {
    every_second_ = std::move(every_second);
    const bool housekeeping = static_cast<bool>(every_second_);
    for (unsigned i = 0; i < threads; ++i) {
        threads_.emplace_back(
            [this, starved, housekeeper = housekeeping && i == 0] { work(starved, housekeeper); });
    }
}

bool ServingWorkers::post(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return false;
        queue_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
}

void ServingWorkers::stop() {
    std::deque<std::function<void()>> dropped;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        dropped.swap(queue_);
    }
    wake_.notify_all();
    for (std::thread& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
}

void ServingWorkers::work(Counter* starved, bool housekeeper) {
    const pid_t tid = gettid();
    lower_to_background_priority(tid);
    pthread_setname_np(pthread_self(), "piotd-replserve");
    const StarvationWatch watch(tid, "a replication serving thread", starved);
    constexpr auto kSecond = std::chrono::seconds(1);
    auto housekeeping_due = std::chrono::steady_clock::now() + kSecond;
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            const auto ready = [this] { return stopping_ || !queue_.empty(); };
            if (housekeeper) {
                wake_.wait_until(lock, housekeeping_due, ready);
            } else {
                wake_.wait(lock, ready);
            }
            if (stopping_) return;
            if (!queue_.empty()) {
                job = std::move(queue_.front());
                queue_.pop_front();
            }
        }
        try {
            if (job) job();
            if (housekeeper && std::chrono::steady_clock::now() >= housekeeping_due) {
                housekeeping_due = std::chrono::steady_clock::now() + kSecond;
                every_second_();
            }
        } catch (const std::exception& e) {
            log_error("replication", std::string("serving job failed: ") + e.what());
        }
    }
}

}  // namespace piotd::daemon
