#include "drivers/kkt/fd_io.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "drivers/kkt/kkt_transport.hpp"

namespace piotd::drivers {

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(std::string_view what, std::string_view action, int error) {
    throw TransportError(std::string(what) + ": " + std::string(action) + ": " +
                         std::strerror(error));
}

int remaining_ms(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

void write_all(int fd, std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout,
               std::string_view what, bool socket) {
    const auto deadline = Clock::now() + timeout;
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = socket
                              ? ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL)
                              : ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) fail(what, "write", errno);
        pollfd p{fd, POLLOUT, 0};
        const int ready = ::poll(&p, 1, remaining_ms(deadline));
        if (ready == 0) throw TransportError(std::string(what) + ": write timed out");
        if (ready < 0 && errno != EINTR) fail(what, "poll", errno);
    }
}

std::size_t read_some(int fd, std::span<std::uint8_t> out, std::chrono::milliseconds timeout,
                      std::string_view what) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, remaining_ms(deadline));
        if (ready < 0) {
            if (errno == EINTR) continue;
            fail(what, "poll", errno);
        }
        if (ready == 0) return 0;
        const ssize_t n = ::read(fd, out.data(), out.size());
        if (n > 0) return static_cast<std::size_t>(n);
        if (n == 0) throw TransportError(std::string(what) + ": closed by the other side");
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
            if (remaining_ms(deadline) == 0) return 0;
            continue;
        }
        fail(what, "read", errno);
    }
}

}  // namespace piotd::drivers
