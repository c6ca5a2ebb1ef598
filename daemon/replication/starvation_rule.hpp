// When is the replication thread starved? It runs at SCHED_IDLE so that a check never waits
// behind an ingest, which also means other work that keeps every CPU busy (normal-priority work,
// or other SCHED_IDLE work such as a build) can keep it from ever finishing a load. This judges
// that from the kernel's own accounting, /proc/self/task/TID/schedstat: the time the thread ran
// and the time it was runnable but waited on a run queue. Pure: StarvationWatch feeds it readings.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string_view>

namespace piotd::daemon {

// Totals since the thread started, as /proc/.../schedstat gives them.
struct SchedStat {
    std::chrono::nanoseconds on_cpu{0};
    std::chrono::nanoseconds waiting{0};  // runnable, not running
};

// "on_cpu_ns run_delay_ns timeslices\n"; nullopt for anything else.
std::optional<SchedStat> parse_schedstat(std::string_view text);

enum class StarvationVerdict {
    stay,
    lift,   // starved at SCHED_IDLE: run it at SCHED_BATCH nice 19
    raise,  // lifted, and still starved (normal-priority work fills the CPUs): one nice step up
    lower,  // lifted, and it no longer asks for the CPU: back to SCHED_IDLE
};

// What was judged, for the log line that says why.
struct StarvationJudgement {
    StarvationVerdict verdict = StarvationVerdict::stay;
    std::chrono::nanoseconds on_cpu{0};
    std::chrono::nanoseconds waiting{0};
    std::chrono::nanoseconds elapsed{0};
};

class StarvationRule {
public:
    struct Options {
        // Starved: over the last `window` readings the thread was runnable for at least
        // `min_runnable` of the time and ran for less than `max_served` of what it asked for.
        std::size_t window = 3;
        double min_runnable = 0.5;
        double max_served = 0.2;
        // Lifted, and runnable for less than `idle` of the last interval: the load is over or
        // waits on the network, so it gives the CPU back.
        double idle = 0.1;
    };

    StarvationRule() = default;
    explicit StarvationRule(Options options) : options_(options) {}

    // A reading taken `elapsed` after the previous one; `lifted`: the thread is at SCHED_BATCH.
    // Starved while lifted gives `raise`, judged over a fresh window after each lift or raise.
    StarvationJudgement observe(SchedStat now, std::chrono::nanoseconds elapsed, bool lifted);

private:
    struct Interval {
        std::chrono::nanoseconds on_cpu;
        std::chrono::nanoseconds waiting;
        std::chrono::nanoseconds elapsed;
    };

    // Sums the window into `judgement`; true when it is full and says starved.
    bool starved(StarvationJudgement& judgement) const;

    Options options_;
    std::optional<SchedStat> last_;
    std::deque<Interval> window_;
};

}  // namespace piotd::daemon
