#include "drivers/serial/serial_error.hpp"

#include <cerrno>

namespace piotd::drivers {

std::string_view serial_error_name(SerialErrorKind kind) {
    switch (kind) {
        case SerialErrorKind::not_found:
            return "not_found";
        case SerialErrorKind::busy:
            return "busy";
        case SerialErrorKind::permission_denied:
            return "permission_denied";
        case SerialErrorKind::not_a_serial_port:
            return "not_a_serial_port";
        case SerialErrorKind::bad_settings:
            return "bad_settings";
        case SerialErrorKind::disconnected:
            return "disconnected";
        case SerialErrorKind::io:
            return "io";
    }
    return "io";
}

SerialErrorKind classify_errno(int error_number) {
    switch (error_number) {
        case ENOENT:
        case ENODEV:
        case ENXIO:
            return SerialErrorKind::not_found;
        case EBUSY:
        case EWOULDBLOCK:
            return SerialErrorKind::busy;
        case EACCES:
        case EPERM:
            return SerialErrorKind::permission_denied;
        case ENOTTY:
        case EISDIR:
        case ENOTDIR:
            return SerialErrorKind::not_a_serial_port;
        case EIO:
        case EPIPE:
            return SerialErrorKind::disconnected;
        default:
            return SerialErrorKind::io;
    }
}

}  // namespace piotd::drivers
