#include "drivers/kkt/tcp_transport.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "drivers/kkt/fd_io.hpp"

namespace piotd::drivers {

TcpTransport::TcpTransport(std::string host, unsigned short port,
                           std::chrono::milliseconds connect_timeout)
    : host_(std::move(host)), port_(port), connect_timeout_(connect_timeout) {}

TcpTransport::~TcpTransport() {
    close();
}

void TcpTransport::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void TcpTransport::reopen() {
    close();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port_);
    if (const int rc = ::getaddrinfo(host_.c_str(), service.c_str(), &hints, &found); rc != 0) {
        throw TransportError(describe() + ": " + ::gai_strerror(rc));
    }
    std::string last_error = "no address";
    for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
        const int fd =
            ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            rc = ::poll(&p, 1, static_cast<int>(connect_timeout_.count()));
            if (rc == 1) {
                int error = 0;
                socklen_t length = sizeof error;
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
                rc = error == 0 ? 0 : -1;
                errno = error;
            } else {
                if (rc == 0) errno = ETIMEDOUT;
                rc = -1;
            }
        }
        if (rc == 0) {
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            fd_ = fd;
            break;
        }
        last_error = std::strerror(errno);
        ::close(fd);
    }
    ::freeaddrinfo(found);
    if (fd_ < 0) throw TransportError(describe() + ": connect: " + last_error);
}

void TcpTransport::write(std::span<const std::uint8_t> bytes) {
    if (fd_ < 0) throw TransportError(describe() + ": not connected");
    write_all(fd_, bytes, std::chrono::seconds(2), describe(), true);
}

std::size_t TcpTransport::read(std::span<std::uint8_t> out, std::chrono::milliseconds timeout) {
    if (fd_ < 0) throw TransportError(describe() + ": not connected");
    return read_some(fd_, out, timeout, describe());
}

std::string TcpTransport::describe() const {
    return "tcp://" + host_ + ":" + std::to_string(port_);
}

}  // namespace piotd::drivers
