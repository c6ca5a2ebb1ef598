// Client-CPU steering: a loopback connection opened from CPU n is queued on listening socket
// n % threads of the SO_REUSEPORT group, whatever its port numbers hash to. (What it saves is
// measured in bench/README.md, not here.)
#include <doctest/doctest.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include "daemon/http/client_cpu_steering.hpp"
#include "daemon/http/router.hpp"
#include "daemon/http/server.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// `count` listening sockets on one loopback port, bound in order, as HttpServer binds them.
std::vector<std::unique_ptr<tcp::acceptor>> reuse_port_group(asio::io_context& io, unsigned count) {
    std::vector<std::unique_ptr<tcp::acceptor>> group;
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    for (unsigned i = 0; i < count; ++i) {
        auto acceptor = std::make_unique<tcp::acceptor>(io);
        acceptor->open(tcp::v4());
        acceptor->set_option(reuse_port(true));
        acceptor->bind(endpoint);
        acceptor->listen();
        acceptor->non_blocking(true);
        endpoint = acceptor->local_endpoint();
        group.push_back(std::move(acceptor));
    }
    return group;
}

std::vector<int> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
    std::vector<int> cpus;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
        if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
    }
    return cpus;
}

// Connects from a thread pinned to `cpu`; the socket stays open so its peer can be accepted.
tcp::socket connect_from_cpu(asio::io_context& io, const tcp::endpoint& endpoint, int cpu) {
    tcp::socket client(io);
    bool pinned = false;
    std::thread([&] {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        pinned = pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
        client.connect(endpoint);
    }).join();
    REQUIRE(pinned);
    return client;
}

// Which listening socket has the connection queued (-1 when none or several do).
int accepting_socket(std::vector<std::unique_ptr<tcp::acceptor>>& group, asio::io_context& io) {
    int found = -1;
    for (std::size_t i = 0; i < group.size(); ++i) {
        tcp::socket peer(io);
        boost::system::error_code ec;
        group[i]->accept(peer, ec);
        if (ec == asio::error::would_block) continue;
        REQUIRE_FALSE(ec);
        if (found != -1) return -1;
        found = static_cast<int>(i);
    }
    return found;
}

}  // namespace

TEST_CASE("daemon.http: a loopback connection goes to the listening socket of its client's CPU") {
    for (unsigned threads : {2U, 3U}) {
        CAPTURE(threads);
        asio::io_context io;
        auto group = reuse_port_group(io, threads);
        REQUIRE(piotd::daemon::steer_connections_by_client_cpu(group.front()->native_handle(),
                                                               threads));
        const tcp::endpoint endpoint = group.front()->local_endpoint();
        const std::vector<int> cpus = allowed_cpus();
        // Eight CPUs show every residue of 2 and 3 more than once; more only cost time.
        for (std::size_t at = 0; at < std::min<std::size_t>(cpus.size(), 8); ++at) {
            const int cpu = cpus[at];
            CAPTURE(cpu);
            // Several connections: each has other port numbers, so the hash would scatter them.
            for (int i = 0; i < 4; ++i) {
                tcp::socket client = connect_from_cpu(io, endpoint, cpu);
                CHECK(accepting_socket(group, io) == static_cast<int>(cpu % threads));
            }
        }
    }
}

TEST_CASE("daemon.http: without steering the kernel's hash spreads one CPU's connections") {
    // The contrast that shows the test above tests the program, not a coincidence of the hash.
    asio::io_context io;
    auto group = reuse_port_group(io, 2);
    const tcp::endpoint endpoint = group.front()->local_endpoint();
    const int cpu = allowed_cpus().front();
    bool seen[2] = {false, false};
    for (int i = 0; i < 64 && !(seen[0] && seen[1]); ++i) {
        tcp::socket client = connect_from_cpu(io, endpoint, cpu);
        const int socket = accepting_socket(group, io);
        REQUIRE(socket >= 0);
        seen[socket] = true;
    }
    CHECK(seen[0]);
    CHECK(seen[1]);
}

TEST_CASE("daemon.http: the server steers loopback listeners when every thread can be picked") {
    piotd::daemon::Router router(piotd::daemon::BasicAuth("admin", "admin"));
    const auto cpus = static_cast<unsigned>(allowed_cpus().size());
    auto steers = [&](const char* address, unsigned threads) {
        piotd::daemon::ServerLimits limits;
        limits.threads = threads;
        piotd::daemon::HttpServer server({asio::ip::make_address(address), 0}, limits, router);
        return server.steers_by_client_cpu();
    };
    if (cpus >= 2) CHECK(steers("127.0.0.1", 2));
    // One thread has nothing to steer; more threads than CPUs would leave some without work.
    CHECK_FALSE(steers("127.0.0.1", 1));
    CHECK_FALSE(steers("127.0.0.1", cpus + 1));
    // A remote client's SYN is processed on the network card's CPU: such listeners hash.
    CHECK_FALSE(steers("0.0.0.0", 2));
}
