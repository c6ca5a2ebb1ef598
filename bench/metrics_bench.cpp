// What the operations hooks cost on the check path: CheckMetrics (a counter and a histogram per
// code) and the status page's recent-checks ring, per event, from 1 and 2 threads at once.
//   piotd_metrics_bench [events per thread]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "daemon/checks/check_metrics.hpp"
#include "daemon/checks/recent_checks.hpp"
#include "daemon/metrics/metrics_registry.hpp"

using namespace piotd::daemon;

namespace {

template <typename Body>
double ns_per_event(unsigned threads, std::size_t events, Body body) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back([&] { body(events); });
    for (auto& thread : pool) thread.join();
    const auto elapsed =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start);
    return elapsed.count() / static_cast<double>(events);
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t events = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000'000;
    MetricsRegistry registry;
    CheckMetrics metrics(registry);
    RecentChecksRing ring;
    const CheckEvent event{"local", "0104603586014674215012516137746", CheckVerdict::not_blocked,
                           700, 0};
    for (const unsigned threads : {1u, 2u}) {
        const double metric_ns = ns_per_event(threads, events, [&](std::size_t n) {
            for (std::size_t i = 0; i < n; ++i) metrics.on_checks({&event, 1});
        });
        const std::vector<CheckEvent> batch(1000, event);
        const double batch_ns = ns_per_event(threads, events, [&](std::size_t n) {
            for (std::size_t i = 0; i < n; i += batch.size()) metrics.on_checks(batch);
        });
        const double ring_ns = ns_per_event(threads, events / 10, [&](std::size_t n) {
            for (std::size_t i = 0; i < n; ++i) ring.on_checks({&event, 1});
        });
        const double clock_ns = ns_per_event(threads, events, [](std::size_t n) {
            std::int64_t sink = 0;
            for (std::size_t i = 0; i < n; ++i) {
                sink += std::chrono::steady_clock::now().time_since_epoch().count();
            }
            if (sink == 42) std::puts("");
        });
        std::printf(
            "%u thread(s): metrics %.1f ns/code alone, %.1f ns/code in a batch of 1000, ring %.1f "
            "ns/request, steady_clock::now %.1f ns\n",
            threads, metric_ns, batch_ns, ring_ns, clock_ns);
    }
    return 0;
}
