// The machine's own floor for one request/answer over loopback: two processes echo one byte over
// a TCP connection with blocking read/write, no HTTP, no event loop. Any HTTP server's
// one-connection latency on this machine is at least this. Prints p50/p99 of 20,000 round trips.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

int main() {
    constexpr int kRounds = 20'000;
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(listener, 1) != 0) {
        std::perror("tcp_pingpong: listen");
        return 1;
    }
    socklen_t length = sizeof address;
    getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);

    const pid_t echo = fork();
    if (echo == 0) {
        const int peer = accept(listener, nullptr, nullptr);
        setsockopt(peer, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        char byte[64];
        while (read(peer, byte, sizeof byte) > 0) {
            if (write(peer, byte, 1) != 1) break;
        }
        _exit(0);
    }
    const int client = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        std::perror("tcp_pingpong: connect");
        return 1;
    }
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::vector<double> us;
    us.reserve(kRounds);
    char byte[64];
    for (int i = 0; i < kRounds; ++i) {
        const auto start = std::chrono::steady_clock::now();
        if (write(client, "x", 1) != 1 || read(client, byte, sizeof byte) != 1) break;
        us.push_back(
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                .count());
    }
    close(client);
    waitpid(echo, nullptr, 0);
    std::sort(us.begin(), us.end());
    std::printf("raw TCP round trip over loopback: p50 %.0f us  p99 %.0f us  (%zu rounds)\n",
                us[us.size() / 2], us[us.size() * 99 / 100], us.size());
    return 0;
}
