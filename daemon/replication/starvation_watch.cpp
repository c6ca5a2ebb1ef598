#include "daemon/replication/starvation_watch.hpp"

#include <pthread.h>
#include <sched.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "daemon/log.hpp"

namespace piotd::daemon {

namespace {

std::string milliseconds(std::chrono::nanoseconds time) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(time).count()) +
           " ms";
}

}  // namespace

StarvationWatch::StarvationWatch(pid_t tid, std::string what, Counter* lifts,
                                 std::chrono::milliseconds interval)
    : tid_(tid), what_(std::move(what)), lifts_(lifts), interval_(interval), thread_([this] {
          run();
      }) {}

StarvationWatch::~StarvationWatch() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

bool StarvationWatch::set_policy(int policy) {
    const sched_param param{};
    if (sched_setscheduler(tid_, policy, &param) == 0) return true;
    const int error = errno;
    std::string message = "cannot move " + what_ + " to " +
                          (policy == SCHED_IDLE ? "SCHED_IDLE" : "SCHED_BATCH") + ": " +
                          std::strerror(error);
    if (error == EPERM) message += " (lifting needs RLIMIT_NICE for nice 19: LimitNICE=+19)";
    log_warning("replication", message + "; it stays where it is while the CPUs are busy");
    return false;
}

void StarvationWatch::run() {
    pthread_setname_np(pthread_self(), "piotd-replwatch");
    const std::string path = "/proc/self/task/" + std::to_string(tid_) + "/schedstat";
    bool lifted = false;
    auto last = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    for (;;) {
        if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) return;
        std::ifstream file(path);
        const std::string text{std::istreambuf_iterator<char>(file), {}};
        const auto now = std::chrono::steady_clock::now();
        const std::optional<SchedStat> stat = parse_schedstat(text);
        if (!stat) {
            // A kernel without CONFIG_SCHED_INFO, or /proc not mounted: nothing to judge by.
            log_warning("replication", "cannot read " + path + "; " + what_ +
                                           " stays at SCHED_IDLE even when starved");
            return;
        }
        const StarvationJudgement judgement = rule_.observe(*stat, now - last, lifted);
        last = now;
        switch (judgement.verdict) {
            case StarvationVerdict::stay:
                break;
            case StarvationVerdict::lift:
                if (!set_policy(SCHED_BATCH)) return;
                lifted = true;
                if (lifts_ != nullptr) lifts_->inc();
                log_info("replication",
                         what_ + " is starved at SCHED_IDLE: it ran " +
                             milliseconds(judgement.on_cpu) + " and waited " +
                             milliseconds(judgement.waiting) + " for a CPU in the last " +
                             milliseconds(judgement.elapsed) +
                             "; SCHED_BATCH at nice 19 until it stops asking for the CPU");
                break;
            case StarvationVerdict::lower:
                if (!set_policy(SCHED_IDLE)) return;
                lifted = false;
                log_info("replication", what_ + " is back at SCHED_IDLE");
                break;
        }
    }
}

}  // namespace piotd::daemon
