#include "daemon/systemd/unix_datagram.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

namespace piotd::daemon {

bool send_unix_datagram(std::string_view socket_path, std::string_view message) {
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

}  // namespace piotd::daemon
