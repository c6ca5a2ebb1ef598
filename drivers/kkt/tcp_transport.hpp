// The register's TCP mode (tspiot-kkt.md §B.2.1: same framing over the socket, port 12345 by
// default). One connection; reopen() reconnects.
#pragma once

#include <chrono>
#include <string>

#include "drivers/kkt/kkt_transport.hpp"

namespace piotd::drivers {

inline constexpr unsigned short kKktDefaultTcpPort = 12345;

class TcpTransport : public KktTransport {
public:
    TcpTransport(std::string host, unsigned short port,
                 std::chrono::milliseconds connect_timeout = std::chrono::seconds(3));
    ~TcpTransport() override;
    TcpTransport(const TcpTransport&) = delete;
    TcpTransport& operator=(const TcpTransport&) = delete;

    void write(std::span<const std::uint8_t> bytes) override;
    std::size_t read(std::span<std::uint8_t> out, std::chrono::milliseconds timeout) override;
    void reopen() override;
    bool is_open() const override { return fd_ >= 0; }
    std::string describe() const override;

private:
    void close();

    std::string host_;
    unsigned short port_;
    std::chrono::milliseconds connect_timeout_;
    int fd_ = -1;
};

}  // namespace piotd::drivers
