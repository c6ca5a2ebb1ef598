// When the SCHED_IDLE replication thread counts as starved (docs/replication.md), judged from
// schedstat readings.
#include "daemon/replication/starvation_rule.hpp"

#include <doctest/doctest.h>

using namespace piotd::daemon;
using namespace std::chrono_literals;

namespace {

// Feeds a reading `elapsed` after the last, with the thread's totals grown by `ran` and `waited`.
struct Thread {
    StarvationRule rule;
    SchedStat totals{1'000'000ns, 500'000ns};
    bool lifted = false;

    Thread() { rule.observe(totals, 1s, lifted); }

    StarvationVerdict second(std::chrono::nanoseconds ran, std::chrono::nanoseconds waited) {
        totals.on_cpu += ran;
        totals.waiting += waited;
        const StarvationVerdict verdict = rule.observe(totals, 1s, lifted).verdict;
        if (verdict == StarvationVerdict::lift) lifted = true;
        if (verdict == StarvationVerdict::lower) lifted = false;
        return verdict;
    }
};

}  // namespace

TEST_SUITE("daemon.starvation_rule") {
    TEST_CASE("schedstat: three numbers, the first two in nanoseconds") {
        const auto stat = parse_schedstat("123456789 987654 42\n");
        REQUIRE(stat);
        CHECK(stat->on_cpu == 123456789ns);
        CHECK(stat->waiting == 987654ns);
        CHECK(!parse_schedstat(""));
        CHECK(!parse_schedstat("1 2"));
        CHECK(!parse_schedstat("1 2 x"));
        CHECK(!parse_schedstat("1 2 3 4"));
        CHECK(!parse_schedstat("-1 2 3"));
        CHECK(!parse_schedstat("99999999999999999999 2 3"));
        CHECK(!parse_schedstat("18446744073709551615 2 3"));
    }

    TEST_CASE("a thread that waits for the CPU three seconds running is lifted, not before") {
        Thread thread;
        CHECK(thread.second(10ms, 990ms) == StarvationVerdict::stay);
        CHECK(thread.second(10ms, 990ms) == StarvationVerdict::stay);
        CHECK(thread.second(10ms, 990ms) == StarvationVerdict::lift);
        // Lifted and busy: it stays lifted however little it gets.
        CHECK(thread.second(20ms, 980ms) == StarvationVerdict::stay);
        CHECK(thread.second(900ms, 100ms) == StarvationVerdict::stay);
        // The load is over (or waits on the network): back to SCHED_IDLE.
        CHECK(thread.second(1ms, 0ms) == StarvationVerdict::lower);
        // And the window starts afresh.
        CHECK(thread.second(10ms, 990ms) == StarvationVerdict::stay);
        CHECK(thread.second(10ms, 990ms) == StarvationVerdict::stay);
        CHECK(thread.second(10ms, 990ms) == StarvationVerdict::lift);
    }

    TEST_CASE("lifted and still starved: one raise every three seconds, until it is served") {
        Thread thread;
        for (int i = 0; i < 2; ++i) CHECK(thread.second(5ms, 995ms) == StarvationVerdict::stay);
        CHECK(thread.second(5ms, 995ms) == StarvationVerdict::lift);
        // Normal-priority work leaves it ~1.5 % at nice 19: a fresh window, then a raise.
        CHECK(thread.second(15ms, 985ms) == StarvationVerdict::stay);
        CHECK(thread.second(15ms, 985ms) == StarvationVerdict::stay);
        CHECK(thread.second(15ms, 985ms) == StarvationVerdict::raise);
        CHECK(thread.lifted);
        // ~10 % at nice 10 is still starved (under a fifth of what it asks for): another raise.
        CHECK(thread.second(100ms, 900ms) == StarvationVerdict::stay);
        CHECK(thread.second(100ms, 900ms) == StarvationVerdict::stay);
        CHECK(thread.second(100ms, 900ms) == StarvationVerdict::raise);
        // ~25 % at nice 5 is served: it stays there until the load is done.
        for (int i = 0; i < 6; ++i) CHECK(thread.second(250ms, 750ms) == StarvationVerdict::stay);
        CHECK(thread.second(2ms, 0ms) == StarvationVerdict::lower);
        CHECK_FALSE(thread.lifted);
    }

    TEST_CASE("a thread that gets the CPU it asks for is left at SCHED_IDLE") {
        Thread thread;
        for (int i = 0; i < 10; ++i) CHECK(thread.second(800ms, 150ms) == StarvationVerdict::stay);
        // One bad second among good ones is a burst of checks, not starvation.
        CHECK(thread.second(10ms, 990ms) == StarvationVerdict::stay);
        CHECK(thread.second(900ms, 50ms) == StarvationVerdict::stay);
        CHECK(thread.second(10ms, 990ms) == StarvationVerdict::stay);
    }

    TEST_CASE("a thread that mostly sleeps is not starved, however it is served") {
        Thread thread;
        for (int i = 0; i < 10; ++i) CHECK(thread.second(1ms, 100ms) == StarvationVerdict::stay);
        for (int i = 0; i < 10; ++i) CHECK(thread.second(0ms, 0ms) == StarvationVerdict::stay);
    }

    TEST_CASE("totals that go backwards are another thread: the window starts afresh") {
        Thread thread;
        CHECK(thread.second(10ms, 990ms) == StarvationVerdict::stay);
        CHECK(thread.second(10ms, 990ms) == StarvationVerdict::stay);
        thread.totals = SchedStat{5ms, 5ms};
        CHECK(thread.second(0ms, 0ms) == StarvationVerdict::stay);
        CHECK(thread.second(10ms, 990ms) == StarvationVerdict::stay);
        CHECK(thread.second(10ms, 990ms) == StarvationVerdict::stay);
        CHECK(thread.second(10ms, 990ms) == StarvationVerdict::lift);
    }
}
