// The sd_notify protocol without libsystemd: one datagram to the AF_UNIX socket named by
// $NOTIFY_SOCKET ("@name" is the abstract namespace). READY=1 once the listener is up,
// STOPPING=1 at shutdown, WATCHDOG=1 from the event loops (watchdog.hpp).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace piotd::daemon {

// Sends `message` to the socket at `socket_path`. false when the path is empty or invalid or the
// send failed (a missing systemd is not an error for the caller).
bool sd_notify_to(std::string_view socket_path, std::string_view message);

// Sends to $NOTIFY_SOCKET; false when it is unset.
bool sd_notify(std::string_view message);

// $WATCHDOG_USEC when set for this process ($WATCHDOG_PID absent or ours).
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace piotd::daemon
