// One open serial port, read and written asynchronously on an Asio executor: no thread of its
// own, no polling. The descriptor is watched by the executor's reactor (epoll) through a
// posix::stream_descriptor, so a read costs nothing until bytes arrive.
//
// Opening goes through libserialport for the ports it knows (real UARTs, USB CDC-ACM and
// USB-serial adapters, and the only way to find a port by USB VID:PID); devices it does not
// recognise as serial ports but that are terminals (ptys, socat/ser2net links, which the tests and
// some installations use) are opened and configured with plain termios. Either way the port is
// taken exclusively (flock + TIOCEXCL), so a second program, or a second piotd, gets `busy`.
//
// Not thread-safe: call every member from the executor's thread (or before it runs). After
// close() (or destruction) the handlers of pending operations are never called.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "drivers/serial/serial_error.hpp"
#include "drivers/serial/serial_settings.hpp"

struct sp_port;  // libserialport

namespace piotd::drivers {

class SerialPort {
public:
    // error is empty on success; on error, bytes is 0. A disconnected device reports
    // SerialErrorKind::disconnected.
    using ReadHandler =
        std::function<void(const std::optional<SerialError>& error, std::size_t bytes)>;
    using WriteHandler = std::function<void(const std::optional<SerialError>& error)>;

    explicit SerialPort(boost::asio::any_io_executor executor);
    ~SerialPort();
    SerialPort(const SerialPort&) = delete;
    SerialPort& operator=(const SerialPort&) = delete;

    // Finds, opens, locks and configures the device. Returns the error, or nothing on success.
    std::optional<SerialError> open(const SerialDevice& device, const SerialSettings& settings);
    // Closes the port; pending operations are abandoned (their handlers are not called).
    void close();
    bool is_open() const { return descriptor_.is_open(); }
    // The path that was opened (a USB id resolved to its /dev name).
    const std::string& path() const { return path_; }

    // Reads at least one byte into `buffer` (which must outlive the call), as soon as any arrive.
    void async_read_some(std::span<char> buffer, ReadHandler handler);
    // Writes all of `bytes`; one write at a time (queue them above this layer).
    void async_write(std::string bytes, WriteHandler handler);

    // Resolves a USB VID:PID to the /dev path of the first serial port with that id.
    static std::optional<std::string> find_usb_port(unsigned vid, unsigned pid);

private:
    std::optional<SerialError> open_path(const std::string& path, const SerialSettings& settings);
    void release();

    boost::asio::posix::stream_descriptor descriptor_;
    ::sp_port* port_ = nullptr;  // set when libserialport opened the device
    std::string path_;
    std::string write_buffer_;
    // Completion handlers check it so that nothing is reported after close().
    std::shared_ptr<int> generation_ = std::make_shared<int>(0);
};

}  // namespace piotd::drivers
