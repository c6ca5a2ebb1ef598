// The load tests' client (tests/load/*.sh): many loopback connections against a running piotd.
//   piotd_load_client free-port
//   piotd_load_client slow-clients PORT [IDLE=1000] [SLOW=200] [SECONDS=10] [MAX_RATIO=2]
//   piotd_load_client connection-limit PORT LIMIT
//   piotd_load_client idle-flood PORT [IDLE=2100] [SECONDS=5]   (a figure, bench/README.md)
// Exits 0 when the daemon behaved, 1 with the reason on stderr otherwise.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback_connection.hpp"

using namespace piotd::test;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kCheck =
    "GET /api/v1/cis/check?cis=0104603586014674215012516137746 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Authorization: Basic YWRtaW46YWRtaW4=\r\n\r\n";

struct Latencies {
    std::vector<double> us;
    double at(double q) const {
        std::vector<double> sorted = us;
        std::sort(sorted.begin(), sorted.end());
        return sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))];
    }
};

// Sequential checks on one keep-alive connection for `seconds`; every answer must be a 200.
Latencies measure_checks(unsigned short port, double seconds) {
    LoopbackConnection connection(port);
    Latencies result;
    const auto end = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < end) {
        const auto t0 = Clock::now();
        if (!connection.send(kCheck)) throw std::runtime_error("check connection closed");
        const RawAnswer answer = connection.read_answer(5000);
        const auto t1 = Clock::now();
        if (answer.status != 200) {
            throw std::runtime_error("check answered " + std::to_string(answer.status));
        }
        result.us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    if (result.us.size() < 100) throw std::runtime_error("too few checks measured");
    return result;
}

// One served request, then the connection is held open doing nothing.
LoopbackConnection idle_connection(unsigned short port) {
    LoopbackConnection connection(port);
    if (!connection.send(kCheck) || connection.read_answer(5000).status != 200) {
        throw std::runtime_error("an idle connection's first check failed");
    }
    return connection;
}

int slow_clients(unsigned short port, int idle_count, int slow_count, double seconds,
                 double max_ratio) {
    measure_checks(port, 0.5);  // warm-up: pooled transactions, caches, the CPU's clock
    const Latencies idle = measure_checks(port, seconds);
    std::printf("idle: %zu checks, p50 %.0f us, p99 %.0f us\n", idle.us.size(), idle.at(0.5),
                idle.at(0.99));

    std::vector<LoopbackConnection> held;
    held.reserve(static_cast<std::size_t>(idle_count));
    for (int i = 0; i < idle_count; ++i) held.push_back(idle_connection(port));

    // Slowloris: a request line, then one more header byte per connection every 2 s. The server
    // closes such a connection when its read timeout ends; the attacker reconnects at once.
    const std::string start = "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    std::vector<LoopbackConnection> slow;
    for (int i = 0; i < slow_count; ++i) {
        slow.emplace_back(port);
        slow.back().send(start);
    }
    std::atomic<bool> stop{false};
    std::atomic<int> reconnects{0};
    std::thread attacker([&] {
        const auto gap = std::chrono::milliseconds(2000) / std::max(slow_count, 1);
        while (!stop.load()) {
            for (auto& connection : slow) {
                if (stop.load()) break;
                if (!connection.send("a")) {
                    connection = LoopbackConnection(port);
                    connection.send(start);
                    reconnects.fetch_add(1);
                }
                std::this_thread::sleep_for(gap);
            }
        }
    });

    Latencies loaded;
    std::string failure;
    try {
        loaded = measure_checks(port, seconds);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    stop.store(true);
    attacker.join();
    if (!failure.empty()) {
        std::fprintf(stderr, "checks under load failed: %s\n", failure.c_str());
        return 1;
    }

    // The idle connections are still served.
    int idle_failed = 0;
    for (auto& connection : held) {
        if (!connection.send(kCheck) || connection.read_answer(5000).status != 200) ++idle_failed;
    }
    const double ratio = loaded.at(0.99) / idle.at(0.99);
    std::printf(
        "with %d idle + %d slowloris connections: %zu checks, p50 %.0f us, p99 %.0f us "
        "(slowloris reconnects after the server's read timeout: %d)\n",
        idle_count, slow_count, loaded.us.size(), loaded.at(0.5), loaded.at(0.99),
        reconnects.load());
    std::printf(
        "p99 ratio loaded/idle: %.2f (limit %.2f); idle connections that failed "
        "afterwards: %d of %d\n",
        ratio, max_ratio, idle_failed, idle_count);
    if (idle_failed > 0) return 1;
    return ratio <= max_ratio ? 0 : 1;
}

// At its limit the daemon refuses a new connection at once (a 503 JSON answer or a close), keeps
// serving the ones it has, and accepts again when some go away.
// A figure for bench/README.md, not a pass/fail test: `idle_count` connections opened and left
// idle (past [server] max_connections, each newcomer takes an idle one's place), then a POS that
// opens a new connection per check for `seconds`: how many got a 200, and the latency of
// connect + check.
int idle_flood(unsigned short port, int idle_count, double seconds) {
    std::vector<LoopbackConnection> held;
    held.reserve(static_cast<std::size_t>(idle_count));
    int opened = 0;
    for (int i = 0; i < idle_count; ++i) {
        try {
            LoopbackConnection connection(port);
            if (connection.send(kCheck) && connection.read_answer(5000).status == 200) ++opened;
            held.push_back(std::move(connection));
        } catch (const std::exception&) {
        }
    }
    Latencies pos;
    int refused = 0;
    const auto end = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < end) {
        const auto t0 = Clock::now();
        LoopbackConnection connection(port);
        const bool ok = connection.send(kCheck) && connection.read_answer(5000).status == 200;
        const auto t1 = Clock::now();
        if (ok) {
            pos.us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        } else {
            ++refused;
        }
    }
    std::printf("idle flood: %d connections opened and left idle (%d served a first check)\n",
                idle_count, opened);
    std::printf("a POS opening a new connection per check for %.0f s: %zu served, %d refused",
                seconds, pos.us.size(), refused);
    if (!pos.us.empty()) std::printf(", p50 %.0f us, p99 %.0f us", pos.at(0.5), pos.at(0.99));
    std::printf("\n");
    return 0;
}

// Whether `connection` was closed by the daemon: a request on it gets no answer.
bool evicted(LoopbackConnection& connection) {
    return !connection.send(kCheck) || connection.read_answer(5000).status == 0;
}

int connection_limit(unsigned short port, int limit) {
    // 1. Idle connections at the limit: each new client takes the slot of the one idle longest
    //    (oldest first), and is served.
    std::vector<LoopbackConnection> held;
    for (int i = 0; i < limit; ++i) held.push_back(idle_connection(port));
    std::printf("holding %d idle connections (the limit)\n", limit);
    constexpr int kNewcomers = 5;
    std::vector<LoopbackConnection> newcomers;  // kept open: each holds the place it took
    for (int attempt = 0; attempt < kNewcomers; ++attempt) {
        LoopbackConnection& newcomer = newcomers.emplace_back(port);
        newcomer.send(kCheck);
        const RawAnswer answer = newcomer.read_answer(5000);
        if (answer.status != 200) {
            std::fprintf(stderr, "at the limit of idle connections: status %d: %s\n", answer.status,
                         answer.head.c_str());
            return 1;
        }
    }
    int oldest_evicted = 0;
    for (int i = 0; i < kNewcomers; ++i) oldest_evicted += evicted(held[i]) ? 1 : 0;
    std::printf("at the limit, %d newcomers served; %d of the %d oldest idle evicted\n", kNewcomers,
                oldest_evicted, kNewcomers);
    if (oldest_evicted != kNewcomers) return 1;
    // The others were left alone (one place taken back for the one just tested: it evicts an
    // idle newcomer or the next oldest; only the last ones are sure to stay).
    for (int i = limit - kNewcomers; i < limit; ++i) {
        if (evicted(held[static_cast<std::size_t>(i)])) {
            std::fprintf(stderr, "a recent idle connection was evicted before older ones\n");
            return 1;
        }
    }
    held.clear();
    newcomers.clear();

    // 2. Busy connections at the limit (each has sent a request head and been told to go on
    //    with its body, so none is idle): a new client is refused cleanly (a 503 JSON answer or
    //    a close, at once), and those held keep being served.
    const std::string body = R"({"cis_list":["0104603586014674215012516137746"]})";
    const std::string head =
        "POST /api/v2/cis/outCheck HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Authorization: Basic YWRtaW46YWRtaW4=\r\nContent-Type: application/json\r\n"
        "Expect: 100-continue\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n";
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (static_cast<int>(held.size()) < limit && Clock::now() < deadline) {
        LoopbackConnection connection(port);
        if (connection.send(head) && connection.read_answer(5000).status == 100) {
            held.push_back(std::move(connection));
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    if (static_cast<int>(held.size()) < limit) {
        std::fprintf(stderr, "only %zu busy connections opened\n", held.size());
        return 1;
    }
    // Part 1's closed connections leave the count in the server's own time (until then a
    // newcomer may take one's place): from the first refusal on, every newcomer is refused.
    const auto refused = [&](bool& clean) {
        const auto t0 = Clock::now();
        LoopbackConnection extra(port);
        extra.send(kCheck);
        const RawAnswer answer = extra.read_answer(3000);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        clean = (answer.status == 503 && answer.body.find("\"errorCode\"") != std::string::npos) ||
                (answer.status == 0 && ms < 2500);
        if (!clean && answer.status != 200) {
            std::fprintf(stderr, "over the limit of busy connections: status %d after %.0f ms\n",
                         answer.status, ms);
        }
        return clean;
    };
    bool clean = false;
    while (!refused(clean) && Clock::now() < deadline) {
    }
    if (!clean) return 1;
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (!refused(clean)) return 1;
    }
    std::printf("over the limit of busy connections: 5 newcomers refused cleanly\n");
    for (auto& connection : held) {
        if (!connection.send(body) || connection.read_answer(5000).status != 200) {
            std::fprintf(stderr, "a held connection stopped being served at the limit\n");
            return 1;
        }
    }

    // 3. Closed connections free their places.
    const int released = limit / 2;
    for (int i = 0; i < released; ++i) held.pop_back();
    const auto again = Clock::now() + std::chrono::seconds(5);
    std::vector<LoopbackConnection> fresh;
    while (static_cast<int>(fresh.size()) < released && Clock::now() < again) {
        try {
            fresh.push_back(idle_connection(port));
        } catch (const std::exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    std::printf("after closing %d connections: %zu new connections served\n", released,
                fresh.size());
    return static_cast<int>(fresh.size()) == released ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    raise_descriptor_limit();
    const std::vector<std::string> args(argv + 1, argv + argc);
    auto arg = [&](std::size_t i, const char* fallback) {
        return i < args.size() ? args[i] : std::string(fallback);
    };
    try {
        if (!args.empty() && args[0] == "free-port") {
            std::printf("%u\n", free_loopback_port());
            return 0;
        }
        if (args.size() >= 2 && args[0] == "idle-flood") {
            return idle_flood(static_cast<unsigned short>(std::stoi(args[1])),
                              std::stoi(arg(2, "2100")), std::stod(arg(3, "5")));
        }
        if (args.size() >= 2 && args[0] == "slow-clients") {
            return slow_clients(static_cast<unsigned short>(std::stoi(args[1])),
                                std::stoi(arg(2, "1000")), std::stoi(arg(3, "200")),
                                std::stod(arg(4, "10")), std::stod(arg(5, "2")));
        }
        if (args.size() == 3 && args[0] == "connection-limit") {
            return connection_limit(static_cast<unsigned short>(std::stoi(args[1])),
                                    std::stoi(args[2]));
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "piotd_load_client: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr,
                 "usage: piotd_load_client free-port | slow-clients PORT [IDLE SLOW SECONDS "
                 "MAX_RATIO] | connection-limit PORT LIMIT\n");
    return 2;
}
