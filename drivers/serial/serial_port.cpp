#include "drivers/serial/serial_port.hpp"

#include <fcntl.h>
#include <libserialport.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <boost/asio/write.hpp>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "drivers/serial/termios_speed.hpp"

namespace piotd::drivers {

namespace {

SerialError system_error(int error_number, const std::string& path, std::string_view what) {
    SerialError error;
    error.kind = classify_errno(error_number);
    error.message = path + ": " + std::string(what) + ": " + std::strerror(error_number);
    if (error.kind == SerialErrorKind::permission_denied) {
        error.message += " (add the daemon's user to the dialout group)";
    }
    return error;
}

SerialError settings_error(const std::string& path, std::string_view what) {
    return SerialError{SerialErrorKind::bad_settings, path + ": " + std::string(what)};
}

std::optional<SerialError> validate(const SerialSettings& s, const std::string& path) {
    if (!is_standard_baud(s.baud)) return settings_error(path, "unsupported baud rate");
    if (s.data_bits < 5 || s.data_bits > 8) return settings_error(path, "data bits must be 5..8");
    if (s.stop_bits < 1 || s.stop_bits > 2) return settings_error(path, "stop bits must be 1 or 2");
    return std::nullopt;
}

// Raw mode: no echo, no line editing, no CR/LF translation, every byte delivered as it comes.
std::optional<SerialError> configure_termios(int fd, const SerialSettings& s,
                                             const std::string& path) {
    termios tio{};
    if (tcgetattr(fd, &tio) != 0) return system_error(errno, path, "tcgetattr");
    cfmakeraw(&tio);
    cfsetispeed(&tio, termios_speed(s.baud));
    cfsetospeed(&tio, termios_speed(s.baud));
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= ~(CSIZE | PARENB | PARODD | CMSPAR | CSTOPB | CRTSCTS);
    tio.c_iflag &= ~(IXON | IXOFF | IXANY);
    switch (s.data_bits) {
        case 5:
            tio.c_cflag |= CS5;
            break;
        case 6:
            tio.c_cflag |= CS6;
            break;
        case 7:
            tio.c_cflag |= CS7;
            break;
        default:
            tio.c_cflag |= CS8;
            break;
    }
    switch (s.parity) {
        case Parity::none:
            break;
        case Parity::odd:
            tio.c_cflag |= PARENB | PARODD;
            break;
        case Parity::even:
            tio.c_cflag |= PARENB;
            break;
        case Parity::mark:
            tio.c_cflag |= PARENB | PARODD | CMSPAR;
            break;
        case Parity::space:
            tio.c_cflag |= PARENB | CMSPAR;
            break;
    }
    if (s.stop_bits == 2) tio.c_cflag |= CSTOPB;
    switch (s.flow) {
        case FlowControl::none:
            break;
        case FlowControl::xon_xoff:
            tio.c_iflag |= IXON | IXOFF;
            break;
        case FlowControl::rts_cts:
            tio.c_cflag |= CRTSCTS;
            break;
        case FlowControl::dtr_dsr:
            return settings_error(path, "DTR/DSR flow control needs a port libserialport knows");
    }
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    if (tcsetattr(fd, TCSANOW, &tio) != 0) {
        SerialError error = system_error(errno, path, "tcsetattr");
        if (error.kind == SerialErrorKind::io) error.kind = SerialErrorKind::bad_settings;
        return error;
    }
    return std::nullopt;
}

std::optional<SerialError> configure_libserialport(sp_port* port, const SerialSettings& s,
                                                   const std::string& path) {
    const auto check = [&](sp_return result, std::string_view what) -> std::optional<SerialError> {
        if (result == SP_OK) return std::nullopt;
        if (result == SP_ERR_FAIL) {
            SerialError error = system_error(sp_last_error_code(), path, what);
            if (error.kind == SerialErrorKind::io) error.kind = SerialErrorKind::bad_settings;
            return error;
        }
        return settings_error(path, std::string(what) + " not supported by the port");
    };
    sp_parity parity = SP_PARITY_NONE;
    switch (s.parity) {
        case Parity::none:
            parity = SP_PARITY_NONE;
            break;
        case Parity::odd:
            parity = SP_PARITY_ODD;
            break;
        case Parity::even:
            parity = SP_PARITY_EVEN;
            break;
        case Parity::mark:
            parity = SP_PARITY_MARK;
            break;
        case Parity::space:
            parity = SP_PARITY_SPACE;
            break;
    }
    sp_flowcontrol flow = SP_FLOWCONTROL_NONE;
    switch (s.flow) {
        case FlowControl::none:
            flow = SP_FLOWCONTROL_NONE;
            break;
        case FlowControl::xon_xoff:
            flow = SP_FLOWCONTROL_XONXOFF;
            break;
        case FlowControl::rts_cts:
            flow = SP_FLOWCONTROL_RTSCTS;
            break;
        case FlowControl::dtr_dsr:
            flow = SP_FLOWCONTROL_DTRDSR;
            break;
    }
    if (auto e = check(sp_set_baudrate(port, static_cast<int>(s.baud)), "baud rate")) return e;
    if (auto e = check(sp_set_bits(port, static_cast<int>(s.data_bits)), "data bits")) return e;
    if (auto e = check(sp_set_parity(port, parity), "parity")) return e;
    if (auto e = check(sp_set_stopbits(port, static_cast<int>(s.stop_bits)), "stop bits")) return e;
    if (auto e = check(sp_set_flowcontrol(port, flow), "flow control")) return e;
    return std::nullopt;
}

}  // namespace

SerialPort::SerialPort(boost::asio::any_io_executor executor) : descriptor_(std::move(executor)) {}

SerialPort::~SerialPort() {
    close();
}

std::optional<std::string> SerialPort::find_usb_port(unsigned vid, unsigned pid) {
    sp_port** ports = nullptr;
    if (sp_list_ports(&ports) != SP_OK) return std::nullopt;
    std::optional<std::string> found;
    for (sp_port** p = ports; *p != nullptr; ++p) {
        if (sp_get_port_transport(*p) != SP_TRANSPORT_USB) continue;
        int port_vid = 0;
        int port_pid = 0;
        if (sp_get_port_usb_vid_pid(*p, &port_vid, &port_pid) != SP_OK) continue;
        if (static_cast<unsigned>(port_vid) == vid && static_cast<unsigned>(port_pid) == pid) {
            const char* name = sp_get_port_name(*p);
            if (name != nullptr) found = name;
            break;
        }
    }
    sp_free_port_list(ports);
    return found;
}

std::optional<SerialError> SerialPort::open(const SerialDevice& device,
                                            const SerialSettings& settings) {
    close();
    if (!device.by_usb_id()) return open_path(device.path, settings);
    const auto path = find_usb_port(*device.usb_vid, *device.usb_pid);
    if (!path) {
        return SerialError{SerialErrorKind::not_found,
                           "no serial port with USB id " + device.describe() + " is plugged in"};
    }
    return open_path(*path, settings);
}

std::optional<SerialError> SerialPort::open_path(const std::string& path,
                                                 const SerialSettings& settings) {
    if (auto error = validate(settings, path)) return error;
    char real[PATH_MAX];
    if (::realpath(path.c_str(), real) == nullptr) return system_error(errno, path, "open");
    struct stat st {};
    if (::stat(real, &st) != 0) return system_error(errno, path, "open");
    if (!S_ISCHR(st.st_mode)) {
        return SerialError{SerialErrorKind::not_a_serial_port,
                           path + ": not a character device (not a serial port)"};
    }

    int fd = -1;
    sp_port* port = nullptr;
    if (sp_get_port_by_name(real, &port) == SP_OK) {
        if (sp_open(port, SP_MODE_READ_WRITE) == SP_OK) {
            sp_get_port_handle(port, &fd);
        } else {
            const int error_number = sp_last_error_code();
            sp_free_port(port);
            port = nullptr;
            const SerialErrorKind kind = classify_errno(error_number);
            // A tty libserialport cannot drive (it insists on modem-control ioctls) is opened
            // with termios below; every other failure is the answer.
            if (kind != SerialErrorKind::not_a_serial_port && error_number != EINVAL) {
                return system_error(error_number, path, "open");
            }
        }
    } else {
        port = nullptr;
    }
    if (port == nullptr) {
        fd = ::open(real, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) return system_error(errno, path, "open");
        if (!::isatty(fd)) {
            ::close(fd);
            return SerialError{SerialErrorKind::not_a_serial_port, path + ": not a terminal"};
        }
    }
    const auto fail = [&](SerialError error) {
        if (port != nullptr) {
            sp_close(port);
            sp_free_port(port);
        } else {
            ::close(fd);
        }
        return error;
    };
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error_number = errno;
        if (error_number == EWOULDBLOCK) {
            return fail(
                SerialError{SerialErrorKind::busy, path + ": in use by another program (locked)"});
        }
        return fail(system_error(error_number, path, "flock"));
    }
    ::ioctl(fd, TIOCEXCL);  // further open() calls by non-root programs get EBUSY
    std::optional<SerialError> configured = port != nullptr
                                                ? configure_libserialport(port, settings, path)
                                                : configure_termios(fd, settings, path);
    if (configured) return fail(std::move(*configured));
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    ::tcflush(fd, TCIOFLUSH);  // bytes from before we opened belong to nobody

    boost::system::error_code ec;
    descriptor_.assign(fd, ec);
    if (ec) return fail(system_error(ec.value(), path, "register with the reactor"));
    port_ = port;
    path_ = path;
    return std::nullopt;
}

void SerialPort::release() {
    if (!descriptor_.is_open()) return;
    boost::system::error_code ignored;
    descriptor_.cancel(ignored);
    const int fd = descriptor_.release();
    if (port_ != nullptr) {
        sp_close(port_);
        sp_free_port(port_);
        port_ = nullptr;
    } else {
        ::close(fd);
    }
}

void SerialPort::close() {
    release();
    generation_ = std::make_shared<int>(0);
}

void SerialPort::async_read_some(std::span<char> buffer, ReadHandler handler) {
    std::weak_ptr<int> alive = generation_;
    descriptor_.async_read_some(
        boost::asio::buffer(buffer.data(), buffer.size()),
        [alive, path = path_, handler = std::move(handler)](const boost::system::error_code& ec,
                                                            std::size_t bytes) {
            if (alive.expired() || ec == boost::asio::error::operation_aborted) return;
            if (!ec) return handler(std::nullopt, bytes);
            if (ec == boost::asio::error::eof) {
                return handler(
                    SerialError{SerialErrorKind::disconnected, path + ": device went away"}, 0);
            }
            SerialError error = system_error(ec.value(), path, "read");
            if (error.kind == SerialErrorKind::not_found)
                error.kind = SerialErrorKind::disconnected;
            handler(error, 0);
        });
}

void SerialPort::async_write(std::string bytes, WriteHandler handler) {
    write_buffer_ = std::move(bytes);
    std::weak_ptr<int> alive = generation_;
    boost::asio::async_write(descriptor_, boost::asio::buffer(write_buffer_),
                             [alive, path = path_, handler = std::move(handler)](
                                 const boost::system::error_code& ec, std::size_t) {
                                 if (alive.expired() || ec == boost::asio::error::operation_aborted)
                                     return;
                                 if (!ec) return handler(std::nullopt);
                                 SerialError error = system_error(ec.value(), path, "write");
                                 if (error.kind == SerialErrorKind::not_found)
                                     error.kind = SerialErrorKind::disconnected;
                                 handler(error);
                             });
}

}  // namespace piotd::drivers
