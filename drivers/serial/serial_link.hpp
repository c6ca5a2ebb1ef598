// A serial device that is kept connected: opens the port, reads continuously, and when the device
// is missing, unplugged, busy or refused, tries again with exponential backoff (plus jitter, so
// several tills do not hammer a shared USB hub in step) until it is back. The scanner and the
// fiscal-register drivers sit on top of it.
//
// Threading: the link runs on one Asio executor (a single-threaded io_context is simplest).
// start(), stop() and write() may be called from any thread; they post to the executor. The
// callbacks run on the executor's thread. The owner must stop the io_context (or call stop() and
// let it drain) before destroying the link.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "drivers/serial/serial_port.hpp"

namespace piotd::drivers {

struct ReconnectPolicy {
    std::chrono::milliseconds initial{250};
    std::chrono::milliseconds max{5000};
};

struct SerialLinkCallbacks {
    // The port is open and configured; `path` is what was opened.
    std::function<void(const std::string& path)> connected;
    // The port was lost, or an attempt to open it failed. Reported once per change of
    // SerialErrorKind, not on every retry, so a missing device does not flood the log.
    std::function<void(const SerialError& error)> disconnected;
    // Bytes as they were read; frames may be split anywhere.
    std::function<void(std::string_view bytes)> data;
};

struct SerialLinkStatus {
    bool connected = false;
    std::string path;                       // last opened path
    std::optional<SerialError> last_error;  // why it is not connected (or was last lost)
    std::uint64_t connects = 0;             // successful opens, including reconnects
    std::uint64_t bytes_read = 0;
};

class SerialLink {
public:
    SerialLink(boost::asio::any_io_executor executor, SerialDevice device, SerialSettings settings,
               ReconnectPolicy policy, SerialLinkCallbacks callbacks);
    SerialLink(const SerialLink&) = delete;
    SerialLink& operator=(const SerialLink&) = delete;

    void start();
    void stop();
    // Queues bytes for the device. Dropped when not connected: a command meant for a device that
    // went away must not be replayed to whatever is plugged in next.
    void write(std::string bytes);

    SerialLinkStatus status() const;
    const SerialDevice& device() const { return device_; }

private:
    void try_open();
    void schedule_retry();
    void read_next();
    void lost(const SerialError& error);
    void report_error(const SerialError& error);
    void write_next();

    boost::asio::any_io_executor executor_;
    SerialDevice device_;
    SerialSettings settings_;
    ReconnectPolicy policy_;
    SerialLinkCallbacks callbacks_;
    SerialPort port_;
    boost::asio::steady_timer retry_;
    std::chrono::milliseconds backoff_;
    std::array<char, 4096> buffer_{};
    std::deque<std::string> writes_;
    bool writing_ = false;
    bool running_ = false;
    std::optional<SerialErrorKind> reported_;

    mutable std::mutex status_mutex_;
    SerialLinkStatus status_;
};

}  // namespace piotd::drivers
