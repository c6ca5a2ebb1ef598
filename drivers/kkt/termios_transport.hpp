// A serial device or pseudo-terminal through termios: raw 8N1, no flow control. Minimal on
// purpose: the lead moves serial registers onto the shared libserialport layer later.
#pragma once

#include <string>

#include "drivers/kkt/kkt_transport.hpp"

namespace piotd::drivers {

class TermiosTransport : public KktTransport {
public:
    // Opens lazily: the first reopen() (the link does it) opens the device.
    TermiosTransport(std::string device, unsigned baud);
    ~TermiosTransport() override;
    TermiosTransport(const TermiosTransport&) = delete;
    TermiosTransport& operator=(const TermiosTransport&) = delete;

    void write(std::span<const std::uint8_t> bytes) override;
    std::size_t read(std::span<std::uint8_t> out, std::chrono::milliseconds timeout) override;
    void reopen() override;
    bool is_open() const override { return fd_ >= 0; }
    std::string describe() const override;

private:
    void close();

    std::string device_;
    unsigned baud_;
    int fd_ = -1;
};

}  // namespace piotd::drivers
