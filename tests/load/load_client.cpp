// The load tests' client (tests/load/*.sh): many loopback connections against a running piotd.
//   piotd_load_client free-port
//   piotd_load_client slow-clients PORT [IDLE=1000] [SLOW=200] [SECONDS=10] [MAX_RATIO=2]
//   piotd_load_client connection-limit PORT LIMIT
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
int connection_limit(unsigned short port, int limit) {
    std::vector<LoopbackConnection> held;
    for (int i = 0; i < limit; ++i) held.push_back(idle_connection(port));
    std::printf("holding %d connections (the limit)\n", limit);

    int answered_503 = 0;
    int closed = 0;
    for (int attempt = 0; attempt < 5; ++attempt) {
        const auto t0 = Clock::now();
        LoopbackConnection extra(port);
        extra.send(kCheck);
        const RawAnswer answer = extra.read_answer(3000);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (answer.status == 503 && answer.body.find("\"errorCode\"") != std::string::npos) {
            ++answered_503;
        } else if (answer.status == 0 && ms < 2500) {
            ++closed;
        } else {
            std::fprintf(stderr, "over the limit: status %d after %.0f ms: %s\n", answer.status, ms,
                         answer.head.c_str());
            return 1;
        }
    }
    std::printf("over the limit: 5 attempts, %d answered 503 JSON, %d closed\n", answered_503,
                closed);

    for (auto& connection : held) {
        if (!connection.send(kCheck) || connection.read_answer(5000).status != 200) {
            std::fprintf(stderr, "a held connection stopped being served at the limit\n");
            return 1;
        }
    }
    const int released = limit / 2;
    for (int i = 0; i < released; ++i) held.pop_back();
    // The server notices the closes on its next read; give it a moment, then the freed places
    // are all usable again.
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    std::vector<LoopbackConnection> fresh;
    while (static_cast<int>(fresh.size()) < released && Clock::now() < deadline) {
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
