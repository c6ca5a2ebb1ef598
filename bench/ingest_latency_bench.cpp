// Check latency over HTTP while a 1.1 M snapshot ingests, against the same latency idle
// (docs/replication.md, bench/README.md). Called by bench/replication.sh with a till piotd
// replicating from the fake upstream:
//   piotd_ingest_latency_bench TILL_PORT FAKE_PORT SECONDS ROUNDS
//
// One keep-alive connection sends checks back to back for the whole run, as a POS terminal
// would, and records when each one started and how long it took. A driver thread alternates
// windows of SECONDS: idle, then ingest, ROUNDS times. During an ingest window it keeps the till
// re-loading blocked_cis: the fake upstream resets the list (a new epoch), the till is told to
// sync now, and the driver polls /api/v1/status until `lastUpdate` moves (the flip); then again.
// A check counts as "during ingest" when it started between a sync request and its flip, so
// host noise that drifts over seconds hits both sides alike and no sample is misfiled.
//
// A third window per round, "warm idle", answers a question of virtual machines: an idle vCPU
// halts, and waking it costs the host a VM exit (tens to hundreds of µs), which an ingest that
// keeps both vCPUs busy never pays. So a VM's idle latency can be *worse* than its latency
// during an ingest. In the warm window a SCHED_IDLE spinner per CPU keeps the vCPUs awake
// without taking the CPU from any normal task; the ratio to it is the cost of the ingest alone.
//
// The driver runs at SCHED_IDLE: it stands for the upstream side and must not take the CPU
// from the checks it measures. It polls the status in idle windows too, so both sides carry it.
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_http_client.hpp"

using piotd::bench::HttpClient;
using piotd::bench::percentile;
using Clock = std::chrono::steady_clock;

namespace {

const piotd::bench::Headers kAuth = {{"Authorization", "Basic YWRtaW46dGlsbA=="}};  // admin:till
const std::string kCheck = "/api/v1/cis/check?cis=0104600000000000215NotListed0000";

struct Sample {
    Clock::time_point start;
    double us;
};

struct Window {
    Clock::time_point begin;
    Clock::time_point end;
};

struct Round {
    Window idle;                  // nothing else runs; vCPUs halt between checks
    Window warm;                  // idle, with SCHED_IDLE spinners keeping every CPU awake
    std::vector<Window> ingests;  // sync request sent .. flip seen
};

// `"lastUpdate":<ms>` from the status JSON; changes when a list's data changes (the flip).
std::string last_update(const std::string& status) {
    const std::string key = "\"lastUpdate\":";
    const auto at = status.find(key);
    if (at == std::string::npos) return {};
    const auto end = status.find_first_of(",}", at);
    return status.substr(at + key.size(), end - at - key.size());
}

void print_window(const char* name, const std::vector<double>& us) {
    std::printf("  %-14s p50 %6.0f  p99 %6.0f µs  (n=%zu)\n", name, percentile(us, 0.5),
                percentile(us, 0.99), us.size());
}

// Keeps every CPU out of its idle state while `on`, at the lowest priority there is.
class Spinners {
public:
    Spinners() {
        for (unsigned i = 0; i < std::max(1U, std::thread::hardware_concurrency()); ++i) {
            threads_.emplace_back([this] {
                const sched_param idle{};
                sched_setscheduler(0, SCHED_IDLE, &idle);
                while (!stop_.load(std::memory_order_relaxed)) {
                    if (!on_.load(std::memory_order_relaxed)) {
                        std::this_thread::sleep_for(std::chrono::milliseconds(5));
                    }
                }
            });
        }
    }
    ~Spinners() {
        stop_ = true;
        for (std::thread& thread : threads_) thread.join();
    }
    void set(bool on) { on_ = on; }

private:
    std::atomic<bool> on_{false};
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr,
                     "usage: piotd_ingest_latency_bench TILL_PORT FAKE_PORT SECONDS ROUNDS\n");
        return 2;
    }
    const auto till_port = static_cast<unsigned short>(std::atoi(argv[1]));
    const auto fake_port = static_cast<unsigned short>(std::atoi(argv[2]));
    const std::chrono::seconds window{std::atoi(argv[3])};
    const int rounds = std::atoi(argv[4]);

    std::atomic<bool> done{false};
    std::vector<Round> plan(static_cast<std::size_t>(rounds));
    std::mutex plan_mutex;
    std::string driver_error;

    Spinners spinners;
    std::thread driver([&] {
        const sched_param idle{};
        sched_setscheduler(0, SCHED_IDLE, &idle);
        try {
            HttpClient till(till_port);
            HttpClient fake(fake_port);
            auto status = [&] {
                if (till.get("/api/v1/status", kAuth) != 200) throw std::runtime_error("status");
                return last_update(till.last_body());
            };
            auto poll_until = [&](Clock::time_point until, const std::string& changed_from) {
                for (;;) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                    const std::string now = status();
                    if (!changed_from.empty() && now != changed_from) return true;
                    if (Clock::now() >= until) return false;
                }
            };
            for (Round& round : plan) {
                const auto idle_begin = Clock::now();
                poll_until(idle_begin + window, {});
                const auto warm_begin = Clock::now();
                spinners.set(true);
                poll_until(warm_begin + window, {});
                spinners.set(false);
                {
                    std::lock_guard lock(plan_mutex);
                    round.idle = {idle_begin, warm_begin};
                    round.warm = {warm_begin, Clock::now()};
                }
                const auto ingest_end = Clock::now() + window;
                while (Clock::now() < ingest_end) {
                    const std::string before = status();
                    if (fake.post("/control/reset?list=blocked_cis", {}, {}) != 200) {
                        throw std::runtime_error("fake reset: " + fake.last_body());
                    }
                    const auto begin = Clock::now();
                    till.post("/api/v1/replication/sync", {}, kAuth);
                    // A re-snapshot takes ~2 s; a minute means the till is not re-loading.
                    if (!poll_until(begin + std::chrono::seconds(60), before)) {
                        throw std::runtime_error("no flip within 60 s");
                    }
                    std::lock_guard lock(plan_mutex);
                    round.ingests.push_back({begin, Clock::now()});
                }
            }
        } catch (const std::exception& error) {
            driver_error = error.what();
        }
        done = true;
    });

    std::vector<Sample> samples;
    samples.reserve(4'000'000);
    HttpClient checks(till_port);
    while (!done.load(std::memory_order_relaxed)) {
        const auto start = Clock::now();
        const int status = checks.get(kCheck, kAuth);
        const double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
        if (status != 200) {
            std::fprintf(stderr, "check answered %d: %s\n", status, checks.last_body().c_str());
            done = true;
            break;
        }
        samples.push_back({start, us});
    }
    driver.join();
    if (!driver_error.empty()) {
        std::fprintf(stderr, "driver: %s\n", driver_error.c_str());
        return 1;
    }

    auto inside = [](const Sample& s, const Window& w) {
        return s.start >= w.begin && s.start < w.end;
    };
    std::vector<double> all_idle;
    std::vector<double> all_warm;
    std::vector<double> all_busy;
    double ingest_seconds = 0;
    std::size_t snapshots = 0;
    for (std::size_t r = 0; r < plan.size(); ++r) {
        std::vector<double> idle;
        std::vector<double> warm;
        std::vector<double> busy;
        for (const Sample& s : samples) {
            if (inside(s, plan[r].idle)) idle.push_back(s.us);
            if (inside(s, plan[r].warm)) warm.push_back(s.us);
            for (const Window& w : plan[r].ingests) {
                if (inside(s, w)) busy.push_back(s.us);
            }
        }
        for (const Window& w : plan[r].ingests) {
            ingest_seconds += std::chrono::duration<double>(w.end - w.begin).count();
        }
        snapshots += plan[r].ingests.size();
        std::printf("round %zu (%zu re-snapshots):\n", r + 1, plan[r].ingests.size());
        print_window("idle", idle);
        print_window("warm idle", warm);
        print_window("during ingest", busy);
        all_idle.insert(all_idle.end(), idle.begin(), idle.end());
        all_warm.insert(all_warm.end(), warm.begin(), warm.end());
        all_busy.insert(all_busy.end(), busy.begin(), busy.end());
    }
    std::printf("all rounds (%zu re-snapshots, %.1f s each on average):\n", snapshots,
                snapshots ? ingest_seconds / static_cast<double>(snapshots) : 0.0);
    print_window("idle", all_idle);
    print_window("warm idle", all_warm);
    print_window("during ingest", all_busy);
    const double busy99 = percentile(all_busy, 0.99);
    std::printf("check p99 during ingest: %.2fx idle p99, %.2fx warm idle p99 (target <= 2x)\n",
                busy99 / percentile(all_idle, 0.99), busy99 / percentile(all_warm, 0.99));
    return 0;
}
