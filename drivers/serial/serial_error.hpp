// Why a serial port could not be opened or stopped working, sorted into the cases an operator
// acts on differently: plug the device in, close the other program, fix the permissions
// (group dialout), fix the config.
#pragma once

#include <string>
#include <string_view>

namespace piotd::drivers {

enum class SerialErrorKind {
    not_found,          // no such path / no USB device with that id
    busy,               // another process holds the port
    permission_denied,  // EACCES/EPERM: the daemon's user lacks the dialout group
    not_a_serial_port,  // the path is a file, a directory, a non-tty device
    bad_settings,       // the port refused the speed/format
    disconnected,       // the device went away while open (unplugged, hangup)
    io,                 // any other system error
};

struct SerialError {
    SerialErrorKind kind = SerialErrorKind::io;
    std::string message;  // names the device and the system's reason
};

// snake_case, as status JSON reports it.
std::string_view serial_error_name(SerialErrorKind kind);
// Sorts an errno from open/ioctl/read into a kind.
SerialErrorKind classify_errno(int error_number);

}  // namespace piotd::drivers
