#include "drivers/kkt/termios_transport.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "drivers/kkt/fd_io.hpp"
#include "drivers/serial/termios_speed.hpp"

namespace piotd::drivers {

TermiosTransport::TermiosTransport(std::string device, unsigned baud)
    : device_(std::move(device)), baud_(baud) {}

TermiosTransport::~TermiosTransport() {
    close();
}

void TermiosTransport::close() {
    if (fd_ < 0) return;
    // The exclusive flag belongs to the tty, not the descriptor: clear it, or piotd's own reopen
    // fails with EBUSY while another process (the emulator) keeps the tty open.
    ::ioctl(fd_, TIOCNXCL);
    ::close(fd_);
    fd_ = -1;
}

void TermiosTransport::reopen() {
    close();
    const int fd = ::open(device_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) throw TransportError(device_ + ": open: " + std::strerror(errno));
    termios tio{};
    if (::tcgetattr(fd, &tio) == 0) {
        ::cfmakeraw(&tio);
        tio.c_cflag |= CLOCAL | CREAD;
        tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | CRTSCTS | PARENB);
        tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
        const speed_t speed = termios_speed(baud_) == B0 ? B115200 : termios_speed(baud_);
        ::cfsetispeed(&tio, speed);
        ::cfsetospeed(&tio, speed);
        tio.c_cc[VMIN] = 0;
        tio.c_cc[VTIME] = 0;
        if (::tcsetattr(fd, TCSANOW, &tio) != 0) {
            const int error = errno;
            ::close(fd);
            throw TransportError(device_ + ": tcsetattr: " + std::strerror(error));
        }
        ::tcflush(fd, TCIOFLUSH);
    }
    // No second opener (a vendor driver, a terminal program) may talk to the register meanwhile:
    // interleaved commands would corrupt both sessions. Not a tty is tolerated (bytes still flow).
    ::ioctl(fd, TIOCEXCL);
    fd_ = fd;
}

void TermiosTransport::write(std::span<const std::uint8_t> bytes) {
    if (fd_ < 0) throw TransportError(device_ + ": not open");
    write_all(fd_, bytes, std::chrono::seconds(2), device_);
}

std::size_t TermiosTransport::read(std::span<std::uint8_t> out, std::chrono::milliseconds timeout) {
    if (fd_ < 0) throw TransportError(device_ + ": not open");
    return read_some(fd_, out, timeout, device_);
}

std::string TermiosTransport::describe() const {
    return device_ + " at " + std::to_string(baud_);
}

}  // namespace piotd::drivers
