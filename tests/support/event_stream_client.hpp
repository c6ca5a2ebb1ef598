// A server-sent-events client for integration tests: GET over HTTP/1.0 (so the body is the raw
// event stream until close, no chunk framing), then one event at a time with a timeout.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "tests/support/http_client.hpp"

namespace piotd::test {

struct StreamEvent {
    std::string name;  // "event:" ("message" when absent)
    std::string id;
    std::string data;
};

class EventStreamClient {
public:
    // receive_buffer > 0: SO_RCVBUF, to play a client that stops reading.
    EventStreamClient(unsigned short port, const std::string& target,
                      const std::string& authorization = basic_authorization("admin", "admin"),
                      int receive_buffer = 0) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (receive_buffer > 0) {
            ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
        }
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            throw std::runtime_error("event stream: connect failed");
        }
        const std::string request = "GET " + target +
                                    " HTTP/1.0\r\nAuthorization: " + authorization +
                                    "\r\nAccept: text/event-stream\r\n\r\n";
        if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
            throw std::runtime_error("event stream: send failed");
        }
    }
    ~EventStreamClient() { ::close(fd_); }
    EventStreamClient(const EventStreamClient&) = delete;
    EventStreamClient& operator=(const EventStreamClient&) = delete;

    // The response head ("HTTP/1.0 200 OK\r\n…"), once it and the stream's greeting arrived.
    std::optional<std::string> head(int timeout_ms = 3000) {
        while (head_.empty()) {
            const auto end = buffer_.find("\r\n\r\n");
            if (end != std::string::npos) {
                head_ = buffer_.substr(0, end + 4);
                buffer_.erase(0, end + 4);
                break;
            }
            if (!fill(timeout_ms)) return std::nullopt;
        }
        return head_;
    }

    // The next event (comments skipped), or nothing on timeout or close.
    std::optional<StreamEvent> next(int timeout_ms = 5000) {
        if (!head(timeout_ms)) return std::nullopt;
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        for (;;) {
            std::size_t end;
            while ((end = buffer_.find("\n\n")) != std::string::npos) {
                const std::string block = buffer_.substr(0, end + 1);
                buffer_.erase(0, end + 2);
                StreamEvent event{"message", "", ""};
                bool any = false;
                std::size_t start = 0;
                while (start < block.size()) {
                    const std::size_t eol = block.find('\n', start);
                    const std::string line = block.substr(start, eol - start);
                    start = eol + 1;
                    if (line.empty() || line[0] == ':') continue;
                    const std::size_t colon = line.find(':');
                    const std::string field = line.substr(0, colon);
                    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
                    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
                    if (field == "event") event.name = value, any = true;
                    if (field == "id") event.id = value, any = true;
                    if (field == "data") event.data += value, any = true;
                }
                if (any && !event.data.empty()) return event;
                if (block.find(": keep-alive") != std::string::npos) ++keepalives_;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0 || !fill(static_cast<int>(left.count()))) return std::nullopt;
        }
    }

    int keepalives() const { return keepalives_; }
    bool closed() const { return closed_; }

private:
    bool fill(int timeout_ms) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) <= 0) return false;
        char chunk[4096];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) {
            closed_ = true;
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    std::string buffer_;
    std::string head_;
    int keepalives_ = 0;
    bool closed_ = false;
};

}  // namespace piotd::test
