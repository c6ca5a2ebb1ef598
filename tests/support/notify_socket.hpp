// A datagram socket standing in for systemd's $NOTIFY_SOCKET in tests: bound to a path or to an
// "@abstract" name, receiving with a timeout.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace piotd::test {

class NotifySocket {
public:
    explicit NotifySocket(const std::string& name, int timeout_ms = 1000) : name_(name) {
        fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path, name.data(), name.size());
        socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
        if (name[0] == '@') {
            address.sun_path[0] = '\0';
        } else {
            ++length;
        }
        if (bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0) {
            close(fd_);
            throw std::runtime_error("cannot bind " + name);
        }
        timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
    ~NotifySocket() {
        close(fd_);
        if (name_[0] == '/') std::filesystem::remove(name_);
    }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    // The next datagram, or "" after the timeout.
    std::string receive() {
        char buffer[4096];
        const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
        return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
    }

private:
    std::string name_;
    int fd_ = -1;
};

}  // namespace piotd::test
