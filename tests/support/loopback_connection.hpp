// One blocking TCP connection to a loopback port, speaking just enough HTTP/1.1 for the load
// tests and the HTTP session's unit tests: send bytes, read one answer framed by Content-Length.
// Raw sockets keep the client's own cost out of the latencies it measures.
#pragma once

#include <string>

namespace piotd::test {

struct RawAnswer {
    int status = 0;  // 0: the connection closed (or timed out) before a whole answer
    std::string head;
    std::string body;
};

class LoopbackConnection {
public:
    // Connects to 127.0.0.1:port; throws std::runtime_error when the connect fails.
    // `receive_buffer` (bytes, 0: the kernel's default) is set before connecting, so it also
    // bounds the window the server may fill.
    explicit LoopbackConnection(unsigned short port, int receive_buffer = 0);
    ~LoopbackConnection();
    LoopbackConnection(LoopbackConnection&& other) noexcept;
    LoopbackConnection& operator=(LoopbackConnection&& other) noexcept;
    LoopbackConnection(const LoopbackConnection&) = delete;
    LoopbackConnection& operator=(const LoopbackConnection&) = delete;

    // False when the peer has closed the connection (EPIPE, ECONNRESET).
    bool send(const std::string& bytes);
    // Reads one whole answer, waiting at most timeout_ms for each read.
    RawAnswer read_answer(int timeout_ms);
    bool open() const { return fd_ >= 0; }
    void close();

private:
    int fd_ = -1;
    std::string pending_;  // bytes read past the previous answer
};

// A free loopback port (bound to port 0 a moment ago).
unsigned short free_loopback_port();

// Raises this process's descriptor limit to the hard limit (the tests hold >1,000 connections).
void raise_descriptor_limit();

}  // namespace piotd::test
