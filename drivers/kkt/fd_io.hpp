// Blocking-with-deadline reads and writes on a non-blocking descriptor (serial device or
// socket), shared by the register's transports.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace piotd::drivers {

// Writes all bytes, waiting for the descriptor up to `timeout` overall. Throws TransportError.
// On a socket (`socket` true) a peer that went away is an error, never SIGPIPE.
void write_all(int fd, std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout,
               std::string_view what, bool socket = false);
// Waits up to `timeout` for bytes; 0 on timeout. Throws TransportError on error or end of
// stream (peer closed, device gone).
std::size_t read_some(int fd, std::span<std::uint8_t> out, std::chrono::milliseconds timeout,
                      std::string_view what);

}  // namespace piotd::drivers
