// The byte pipe to a fiscal register: a serial device (termios, later the shared libserialport
// layer) or the register's TCP mode. The link protocol (kkt_link.hpp) sits on top and knows
// nothing of which it is.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

namespace piotd::drivers {

// The pipe itself failed (device gone, connection refused or reset). reopen() may cure it.
class TransportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class KktTransport {
public:
    virtual ~KktTransport() = default;
    // Writes every byte or throws TransportError.
    virtual void write(std::span<const std::uint8_t> bytes) = 0;
    // Waits up to `timeout` for at least one byte; returns how many were read (0: timed out).
    // Throws TransportError when the pipe is broken.
    virtual std::size_t read(std::span<std::uint8_t> out, std::chrono::milliseconds timeout) = 0;
    // Closes and opens again (after an error, or to open the first time). Throws TransportError.
    virtual void reopen() = 0;
    virtual bool is_open() const = 0;
    // "/dev/ttyS0 at 115200" or "tcp://10.0.0.5:12345", for logs and status.
    virtual std::string describe() const = 0;
};

}  // namespace piotd::drivers
