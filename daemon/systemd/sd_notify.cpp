#include "daemon/systemd/sd_notify.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <string>

#include "daemon/systemd/unix_datagram.hpp"

namespace piotd::daemon {

bool sd_notify_to(std::string_view socket_path, std::string_view message) {
    return send_unix_datagram(socket_path, message);
}

bool sd_notify(std::string_view message) {
    const char* socket_path = std::getenv("NOTIFY_SOCKET");
    if (socket_path == nullptr) return false;
    return sd_notify_to(socket_path, message);
}

std::optional<std::chrono::microseconds> watchdog_interval() {
    const char* usec = std::getenv("WATCHDOG_USEC");
    if (usec == nullptr) return std::nullopt;
    if (const char* pid = std::getenv("WATCHDOG_PID"); pid != nullptr) {
        if (std::to_string(getpid()) != pid) return std::nullopt;
    }
    std::uint64_t value = 0;
    const std::string_view text(usec);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value == 0) return std::nullopt;
    return std::chrono::microseconds(value);
}

}  // namespace piotd::daemon
