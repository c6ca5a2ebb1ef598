#include "daemon/systemd/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

namespace piotd::daemon {

bool sd_notify_to(std::string_view socket_path, std::string_view message) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    // Abstract sockets start with '@' in the variable and with a NUL byte on the wire.
    if (socket_path.size() < 2 || socket_path.size() >= sizeof address.sun_path) return false;
    if (socket_path[0] != '/' && socket_path[0] != '@') return false;
    std::memcpy(address.sun_path, socket_path.data(), socket_path.size());
    socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path.size());
    if (socket_path[0] == '@') {
        address.sun_path[0] = '\0';
    } else {
        ++length;  // the terminating NUL of a filesystem path
    }
    const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const ssize_t sent = sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&address), length);
    close(fd);
    return sent == static_cast<ssize_t>(message.size());
}

bool sd_notify(std::string_view message) {
    const char* socket_path = std::getenv("NOTIFY_SOCKET");
    if (socket_path == nullptr) return false;
    return sd_notify_to(socket_path, message);
}

std::optional<std::chrono::microseconds> watchdog_interval() {
    const char* usec = std::getenv("WATCHDOG_USEC");
    if (usec == nullptr) return std::nullopt;
    if (const char* pid = std::getenv("WATCHDOG_PID"); pid != nullptr) {
        if (std::to_string(getpid()) != pid) return std::nullopt;
    }
    std::uint64_t value = 0;
    const std::string_view text(usec);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value == 0) return std::nullopt;
    return std::chrono::microseconds(value);
}

}  // namespace piotd::daemon
