// One-connection latency of several HTTP servers, measured interleaved: one keep-alive connection
// to each, and the client sends one request to each server in turn (the order rotating every
// round), so a burst of someone else's load on a shared machine lands on all of them alike.
// wrk measures the servers one after another and reports whole microseconds; this reports the
// nanosecond percentiles of each server and of the per-round differences, which is what a claim
// "A is at least as fast as B" at one connection needs.
//   piotd_latency_pair ROUNDS HEADER NAME=PORT:TARGET NAME=PORT:TARGET...
//   BLOCK=100 piotd_latency_pair ...   each server gets 100 requests in a row per turn
// ROUNDS is the number of requests each server gets in all (a tenth more to warm up).
// HEADER is one request header line sent to every server ("" for none). Plain blocking sockets,
// Nagle off, the request bytes built once: the client costs each server the same.
//
// With one request per turn (the default), each server's request follows another server's, so
// what the previous server leaves behind (its work after the answer, a colder cache) lands on
// the next one: with the client and servers on one core, one piotd measured as two servers came
// out 2–4 µs apart by position alone. BLOCK requests per turn measure each server after itself,
// as a till sees it, and still interleave them every few milliseconds; the per-round
// difference is then between the two servers' medians of their turns in the same round.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bench/percentile.hpp"

using piotd::bench::percentile;

namespace {

struct Server {
    std::string name;
    std::string request;  // the whole request, sent with one write
    int socket = -1;
    std::vector<double> ns;
};

[[noreturn]] void fail(const char* what) {
    std::perror(what);
    std::exit(1);
}

int connect_loopback(unsigned short port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        fail("latency_pair: connect");
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

// Case-insensitive search for the Content-Length value in a response head.
std::size_t content_length(std::string_view head) {
    constexpr std::string_view kName = "\ncontent-length:";
    for (std::size_t i = 0; i + kName.size() <= head.size(); ++i) {
        std::size_t j = 0;
        while (j < kName.size() &&
               (head[i + j] | (kName[j] >= 'a' && kName[j] <= 'z' ? 0x20 : 0)) == kName[j]) {
            ++j;
        }
        if (j != kName.size()) continue;
        std::size_t at = i + j;
        while (at < head.size() && head[at] == ' ') ++at;
        std::size_t value = 0;
        std::from_chars(head.data() + at, head.data() + head.size(), value);
        return value;
    }
    return 0;
}

// Sends the request and reads one whole answer (head and Content-Length body); returns the
// round trip in nanoseconds. Exits on a broken connection or a non-200 answer.
double round_trip(Server& server, std::string& buffer) {
    const auto start = std::chrono::steady_clock::now();
    if (write(server.socket, server.request.data(), server.request.size()) !=
        static_cast<ssize_t>(server.request.size())) {
        fail("latency_pair: write");
    }
    buffer.clear();
    std::size_t head_end = std::string::npos;
    std::size_t need = 0;
    char chunk[16384];
    for (;;) {
        const ssize_t got = read(server.socket, chunk, sizeof chunk);
        if (got <= 0) fail("latency_pair: read");
        buffer.append(chunk, static_cast<std::size_t>(got));
        if (head_end == std::string::npos) {
            head_end = buffer.find("\r\n\r\n");
            if (head_end == std::string::npos) continue;
            need = head_end + 4 + content_length(std::string_view(buffer).substr(0, head_end));
        }
        if (buffer.size() >= need) break;
    }
    const auto end = std::chrono::steady_clock::now();
    if (buffer.compare(0, 12, "HTTP/1.1 200") != 0) {
        std::fprintf(stderr, "latency_pair: %s answered %.40s\n", server.name.c_str(),
                     buffer.c_str());
        std::exit(1);
    }
    return std::chrono::duration<double, std::nano>(end - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: %s ROUNDS HEADER NAME=PORT:TARGET NAME=PORT:TARGET...\n",
                     argv[0]);
        return 2;
    }
    const long rounds = std::strtol(argv[1], nullptr, 10);
    const std::string header = argv[2];
    std::vector<Server> servers;
    for (int i = 3; i < argc; ++i) {
        const std::string_view spec = argv[i];
        const auto equals = spec.find('=');
        const auto colon = spec.find(':', equals);
        if (equals == std::string_view::npos || colon == std::string_view::npos) {
            std::fprintf(stderr, "latency_pair: bad server %s\n", argv[i]);
            return 2;
        }
        const int port =
            std::atoi(std::string(spec.substr(equals + 1, colon - equals - 1)).c_str());
        Server server;
        server.name = spec.substr(0, equals);
        server.request = "GET " + std::string(spec.substr(colon + 1)) +
                         " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n" +
                         (header.empty() ? "" : header + "\r\n") + "\r\n";
        server.socket = connect_loopback(static_cast<unsigned short>(port));
        server.ns.reserve(static_cast<std::size_t>(rounds));
        servers.push_back(std::move(server));
    }
    const char* block_text = std::getenv("BLOCK");
    const long block = std::max(1L, block_text ? std::strtol(block_text, nullptr, 10) : 1L);
    const long turns = std::max(1L, rounds / block);  // rounds, each server `block` times in each
    std::string buffer;
    buffer.reserve(65536);
    const std::size_t count = servers.size();
    // turn_ns[k][t]: server k's median in round t (its one sample when block is 1).
    std::vector<std::vector<double>> turn_ns(count);
    std::vector<double> samples;
    for (long turn = -turns / 10; turn < turns; ++turn) {  // the first tenth warms up
        for (std::size_t k = 0; k < count; ++k) {
            const std::size_t index = (static_cast<std::size_t>(turn + turns) + k) % count;
            Server& server = servers[index];
            samples.clear();
            for (long i = 0; i < block; ++i) samples.push_back(round_trip(server, buffer));
            if (turn < 0) continue;
            server.ns.insert(server.ns.end(), samples.begin(), samples.end());
            turn_ns[index].push_back(percentile(samples, 0.5));
        }
    }
    std::printf(
        "%-12s %9s %9s %9s %9s   (%ld interleaved rounds of %ld request(s) per server,"
        " one connection each)\n",
        "server", "p10 us", "p50 us", "p90 us", "p99 us", turns, block);
    for (const Server& server : servers) {
        std::printf("%-12s %9.2f %9.2f %9.2f %9.2f\n", server.name.c_str(),
                    percentile(server.ns, 0.10) / 1000, percentile(server.ns, 0.50) / 1000,
                    percentile(server.ns, 0.90) / 1000, percentile(server.ns, 0.99) / 1000);
    }
    // Each later server against the first: the median per-round difference with its 95 %
    // confidence interval, and how often the later one was the faster of the two in the same
    // round. The interval is the sign test's (distribution-free: the order statistics
    // n/2 -+ 1.96 sqrt(n)/2 of the sorted differences); "faster" or "slower" only when it
    // excludes zero. It takes the rounds as independent, which a burst of load spanning many
    // rounds is not, so the verdict is for repeated runs to confirm, not a single one.
    for (std::size_t k = 1; k < count; ++k) {
        std::vector<double> difference(turn_ns[0].size());
        std::size_t faster = 0;
        for (std::size_t i = 0; i < difference.size(); ++i) {
            difference[i] = turn_ns[k][i] - turn_ns[0][i];
            faster += difference[i] < 0;
        }
        std::sort(difference.begin(), difference.end());
        const double n = static_cast<double>(difference.size());
        const double spread = 1.96 * std::sqrt(n) / 2;
        const auto at = [&](double index) {
            return difference[static_cast<std::size_t>(std::clamp(index, 0.0, n - 1))] / 1000;
        };
        const double low = at(std::floor(n / 2 - spread));
        const double high = at(std::ceil(n / 2 + spread));
        const char* verdict = high < 0 ? "faster" : low > 0 ? "slower" : "level";
        std::printf(
            "%s - %s: median per-round difference %+.2f us (95%% CI %+.2f..%+.2f: %s), %s faster"
            " in %.1f%% of rounds; p50 ratio %.3f, p99 ratio %.3f\n",
            servers[k].name.c_str(), servers[0].name.c_str(), percentile(difference, 0.5) / 1000,
            low, high, verdict, servers[k].name.c_str(), 100.0 * static_cast<double>(faster) / n,
            percentile(servers[k].ns, 0.5) / percentile(servers[0].ns, 0.5),
            percentile(servers[k].ns, 0.99) / percentile(servers[0].ns, 0.99));
    }
    return 0;
}
