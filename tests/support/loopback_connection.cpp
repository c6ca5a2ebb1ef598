#include "tests/support/loopback_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <utility>

namespace piotd::test {

namespace {

sockaddr_in loopback(unsigned short port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

std::size_t content_length(const std::string& head) {
    // Header names are case-insensitive; piotd and nginx both send "Content-Length".
    for (const char* name : {"\r\nContent-Length:", "\r\ncontent-length:"}) {
        const auto at = head.find(name);
        if (at != std::string::npos) return std::strtoul(head.c_str() + at + 17, nullptr, 10);
    }
    return 0;
}

}  // namespace

LoopbackConnection::LoopbackConnection(unsigned short port, int receive_buffer) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (receive_buffer > 0 &&
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer) != 0) {
        const int error = errno;
        close();
        throw std::runtime_error("SO_RCVBUF failed: errno " + std::to_string(error));
    }
    const sockaddr_in address = loopback(port);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const int error = errno;
        close();
        throw std::runtime_error("connect failed: errno " + std::to_string(error));
    }
}

LoopbackConnection::~LoopbackConnection() {
    close();
}

LoopbackConnection::LoopbackConnection(LoopbackConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), pending_(std::move(other.pending_)) {}

LoopbackConnection& LoopbackConnection::operator=(LoopbackConnection&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        pending_ = std::move(other.pending_);
    }
    return *this;
}

void LoopbackConnection::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool LoopbackConnection::send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

RawAnswer LoopbackConnection::read_answer(int timeout_ms) {
    RawAnswer answer;
    std::string data = std::move(pending_);
    pending_.clear();
    std::size_t head_end = std::string::npos;
    std::size_t wanted = 0;
    char chunk[16384];
    for (;;) {
        if (head_end == std::string::npos) {
            head_end = data.find("\r\n\r\n");
            if (head_end != std::string::npos) {
                answer.head = data.substr(0, head_end + 4);
                wanted = head_end + 4 + content_length(answer.head);
            }
        }
        if (head_end != std::string::npos && data.size() >= wanted) break;
        pollfd ready{fd_, POLLIN, 0};
        if (::poll(&ready, 1, timeout_ms) <= 0) return answer;
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return answer;
        data.append(chunk, static_cast<std::size_t>(n));
    }
    answer.body = data.substr(head_end + 4, wanted - head_end - 4);
    pending_ = data.substr(wanted);
    if (answer.head.size() > 12 && answer.head.compare(0, 5, "HTTP/") == 0) {
        answer.status = std::atoi(answer.head.c_str() + 9);
    }
    return answer;
}

unsigned short free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback(0);
    socklen_t size = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        throw std::runtime_error("no free loopback port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

void raise_descriptor_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

}  // namespace piotd::test
