// Keeps a SCHED_IDLE thread from starving for good (docs/replication.md): a small thread that
// reads the watched thread's schedstat every interval, lifts it to SCHED_BATCH (at the nice 19 it
// already has) when StarvationRule says it is starved, and lowers it back to SCHED_IDLE (nice 19)
// once it stops asking for the CPU. Still starved at SCHED_BATCH means normal-priority work fills
// every CPU, where nice 19 gets ~1.5 % of one: the watch then raises it a step at a time, to nice
// 10 (~10 %) and nice 5 (~25 %), never above. Lifting needs RLIMIT_NICE for the nice it goes to
// (systemd: LimitNICE=+5) or CAP_SYS_NICE; without it the watch says so and goes no further.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "daemon/metrics/metric_types.hpp"
#include "daemon/replication/starvation_rule.hpp"

namespace piotd::daemon {

class StarvationWatch {
public:
    // `tid`: a thread of this process, already at SCHED_IDLE and nice 19. `lifts`, when given,
    // counts every lift (a metric).
    StarvationWatch(pid_t tid, std::string what, Counter* lifts = nullptr,
                    std::chrono::milliseconds interval = std::chrono::milliseconds{1000});
    ~StarvationWatch();
    StarvationWatch(const StarvationWatch&) = delete;
    StarvationWatch& operator=(const StarvationWatch&) = delete;

private:
    void run();
    bool set_policy(int policy);
    bool set_nice(int nice);

    pid_t tid_;
    std::string what_;  // for the log: "the replication thread"
    Counter* lifts_;
    std::chrono::milliseconds interval_;
    StarvationRule rule_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace piotd::daemon
