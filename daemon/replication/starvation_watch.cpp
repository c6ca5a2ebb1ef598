#include "daemon/replication/starvation_watch.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "daemon/log.hpp"

namespace piotd::daemon {

namespace {

// The nice values of a lifted thread, one step per `raise`: 19 is what it runs at to begin with.
constexpr std::array<int, 3> kLiftedNice = {19, 10, 5};

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
    if (error == EPERM) message += " (lifting needs RLIMIT_NICE for nice 19: LimitNICE=+5)";
    log_warning("replication", message + "; it stays where it is while the CPUs are busy");
    return false;
}

bool StarvationWatch::set_nice(int nice) {
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(tid_), nice) == 0) return true;
    const int error = errno;
    std::string message =
        "cannot move " + what_ + " to nice " + std::to_string(nice) + ": " + std::strerror(error);
    if (error == EACCES || error == EPERM) {
        message += " (needs RLIMIT_NICE for nice " + std::to_string(nice) + ": LimitNICE=+5)";
    }
    log_warning("replication", message);
    return false;
}

void StarvationWatch::run() {
    pthread_setname_np(pthread_self(), "piotd-replwatch");
    const std::string path = "/proc/self/task/" + std::to_string(tid_) + "/schedstat";
    bool lifted = false;
    std::size_t step = 0;   // into kLiftedNice, while lifted
    bool can_raise = true;  // false once the kernel refused a step: said once, not again
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
        // Only for the log lines of a verdict: most readings are `stay`.
        const auto why = [&judgement] {
            return "it ran " + milliseconds(judgement.on_cpu) + " and waited " +
                   milliseconds(judgement.waiting) + " for a CPU in the last " +
                   milliseconds(judgement.elapsed);
        };
        switch (judgement.verdict) {
            case StarvationVerdict::stay:
                break;
            case StarvationVerdict::lift:
                if (!set_policy(SCHED_BATCH)) return;
                lifted = true;
                step = 0;
                if (lifts_ != nullptr) lifts_->inc();
                log_info("replication",
                         what_ + " is starved at SCHED_IDLE: " + why() +
                             "; SCHED_BATCH at nice 19 until it stops asking for the CPU");
                break;
            case StarvationVerdict::raise:
                // At the top step, or refused before: it stays where it is.
                if (!can_raise || step + 1 >= kLiftedNice.size()) break;
                if (!set_nice(kLiftedNice[step + 1])) {
                    can_raise = false;
                    break;
                }
                ++step;
                log_info("replication", what_ + " is still starved at SCHED_BATCH: " + why() +
                                            "; nice " + std::to_string(kLiftedNice[step]));
                break;
            case StarvationVerdict::lower:
                // Nice 19 again first: raising a nice value needs no privilege.
                if (step > 0) set_nice(kLiftedNice[0]);
                step = 0;
                if (!set_policy(SCHED_IDLE)) return;
                lifted = false;
                log_info("replication", what_ + " is back at SCHED_IDLE");
                break;
        }
    }
}

}  // namespace piotd::daemon
