// One datagram to an AF_UNIX socket: a filesystem path, or "@name" for the abstract namespace.
// How piotd talks to systemd (sd_notify) and journald (the native journal protocol).
#pragma once

#include <string_view>

namespace piotd::daemon {

// false when the path is empty, relative or too long, or the send failed.
bool send_unix_datagram(std::string_view socket_path, std::string_view message);

}  // namespace piotd::daemon
