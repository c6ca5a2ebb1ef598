// A pseudo-terminal standing in for a serial scanner or register in tests: the code under test
// opens `link()` (a symlink to the pty's slave, as udev gives real devices stable names), the test
// writes what the device would send into the master. unplug() closes the master (the device
// reads EIO, as after a USB unplug); replug() makes a new pty and points the link at it.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace piotd::test {

class PtyPair {
public:
    explicit PtyPair(std::filesystem::path link) : link_(std::move(link)) { replug(); }
    ~PtyPair() {
        unplug();
        std::filesystem::remove(link_);
    }
    PtyPair(const PtyPair&) = delete;
    PtyPair& operator=(const PtyPair&) = delete;

    const std::filesystem::path& link() const { return link_; }
    const std::string& slave_path() const { return slave_; }
    bool plugged() const { return master_ >= 0; }

    void write(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::write(master_, bytes.data(), bytes.size());
            if (n < 0) throw std::runtime_error("pty write failed");
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    // Reads what the device was sent, waiting up to timeout_ms for the first byte.
    std::string read(int timeout_ms) {
        std::string out;
        pollfd p{master_, POLLIN, 0};
        while (::poll(&p, 1, out.empty() ? timeout_ms : 20) > 0 && (p.revents & POLLIN)) {
            char buffer[256];
            const ssize_t n = ::read(master_, buffer, sizeof buffer);
            if (n <= 0) break;
            out.append(buffer, static_cast<std::size_t>(n));
        }
        return out;
    }

    void unplug() {
        if (master_ >= 0) ::close(master_);
        master_ = -1;
    }

    void replug() {
        unplug();
        int slave = -1;
        char name[128];
        if (::openpty(&master_, &slave, name, nullptr, nullptr) != 0) {
            throw std::runtime_error("openpty failed");
        }
        ::close(slave);  // the code under test opens it by the link
        // A daemon started later must not inherit the master: unplug() would not be one.
        ::fcntl(master_, F_SETFD, FD_CLOEXEC);
        slave_ = name;
        const std::filesystem::path temporary = link_.string() + ".new";
        std::filesystem::remove(temporary);
        std::filesystem::create_symlink(slave_, temporary);
        std::filesystem::rename(temporary, link_);  // atomic, like udev
    }

private:
    std::filesystem::path link_;
    std::string slave_;
    int master_ = -1;
};

}  // namespace piotd::test
