// piotd_fake_kkt: a Shtrih-M fiscal register for the integration tests (docs/drivers.md).
//
//   piotd_fake_kkt --control PORT [--tcp PORT] [--pty-link PATH] [--fn NUMBER]
//
// Serves one register (fake_kkt_register.hpp) on a pseudo-terminal (its slave path is printed
// as "pty /dev/pts/N" and, with --pty-link, symlinked at PATH) and, with --tcp, on a TCP port
// (the register's TCP mode). The control port takes one command per line and answers one line:
//   log                     the JSON log: receipts, positions with tag 1260 and code, counts
//   fault NAME N            nak_commands, drop_acks, corrupt_answers, garbage_answers,
//                           hold_answers, hold_close, silence, silence_after, busy,
//                           fail_close (next N), fn_full,
//                           refuse_all (0/1)
//   refuse CODE             FF61 refuses codes containing CODE
//   clear                   all faults off
// Exits 0 on SIGTERM/SIGINT.
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/fakes/fake_kkt_register.hpp"

namespace {

using piotd::fakes::FakeKktRegister;

std::mutex g_mutex;
FakeKktRegister* g_register = nullptr;

int listen_on(unsigned short port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd, 8) != 0) {
        std::fprintf(stderr, "fake_kkt: cannot listen on %u: %s\n", port, std::strerror(errno));
        std::exit(1);
    }
    return fd;
}

bool write_all(int fd, const std::vector<std::uint8_t>& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == ENOTSOCK) {
            const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
            if (w <= 0) return false;
            done += static_cast<std::size_t>(w);
            continue;
        }
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// Feeds what arrives on `fd` to the register and writes its answers back, until EOF.
void pump(int fd, bool is_pty) {
    std::uint8_t buffer[512];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            // A pty master reads EIO while no one has the slave open: wait for the next user.
            if (is_pty) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                continue;
            }
            return;
        }
        std::vector<std::uint8_t> out;
        {
            std::lock_guard lock(g_mutex);
            out = g_register->on_bytes(std::span(buffer, static_cast<std::size_t>(n)));
        }
        if (!out.empty() && !write_all(fd, out)) return;
    }
}

void serve_tcp(int listener) {
    for (;;) {
        const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        {
            std::lock_guard lock(g_mutex);
            g_register->reset_link();
        }
        pump(client, false);
        ::close(client);
        std::lock_guard lock(g_mutex);
        g_register->reset_link();
    }
}

std::string control_command(const std::string& line) {
    std::lock_guard lock(g_mutex);
    auto& f = g_register->faults();
    if (line == "log") return g_register->log_json();
    if (line == "clear") {
        f = {};
        return "ok";
    }
    if (line.rfind("refuse ", 0) == 0) {
        f.refuse_codes.push_back(line.substr(7));
        return "ok";
    }
    char name[64] = {};
    int value = 0;
    if (std::sscanf(line.c_str(), "fault %63s %d", name, &value) == 2) {
        const std::string n = name;
        if (n == "nak_commands")
            f.nak_commands = value;
        else if (n == "drop_acks")
            f.drop_acks = value;
        else if (n == "corrupt_answers")
            f.corrupt_answers = value;
        else if (n == "garbage_answers")
            f.garbage_answers = value;
        else if (n == "hold_answers")
            f.hold_answers = value;
        else if (n == "hold_close")
            f.hold_close = value;
        else if (n == "silence")
            f.silence = value;
        else if (n == "silence_after")
            f.silence_after = value;
        else if (n == "busy")
            f.busy = value;
        else if (n == "fail_close")
            f.fail_close = value;
        else if (n == "fn_full")
            f.fn_full = value != 0;
        else if (n == "refuse_all")
            f.refuse_all_codes = value != 0;
        else
            return "error unknown fault " + n;
        return "ok";
    }
    return "error unknown command";
}

void serve_control(int listener) {
    for (;;) {
        const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        std::thread([client] {
            std::string pending;
            char buffer[1024];
            for (;;) {
                const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
                if (n <= 0) break;
                pending.append(buffer, static_cast<std::size_t>(n));
                std::size_t newline = 0;
                while ((newline = pending.find('\n')) != std::string::npos) {
                    std::string line = pending.substr(0, newline);
                    pending.erase(0, newline + 1);
                    if (!line.empty() && line.back() == '\r') line.pop_back();
                    const std::string answer = control_command(line) + "\n";
                    if (!write_all(client, {answer.begin(), answer.end()})) break;
                }
            }
            ::close(client);
        }).detach();
    }
}

}  // namespace

int main(int argc, char** argv) {
    unsigned short control_port = 0;
    int tcp_port = -1;
    std::string pty_link;
    std::string fn_number = "9999078900012345";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const std::string value = argv[i + 1];
        if (flag == "--control")
            control_port = static_cast<unsigned short>(std::stoi(value));
        else if (flag == "--tcp")
            tcp_port = std::stoi(value);
        else if (flag == "--pty-link")
            pty_link = value;
        else if (flag == "--fn")
            fn_number = value;
        else {
            std::fprintf(stderr, "fake_kkt: unknown flag %s\n", flag.c_str());
            return 2;
        }
    }
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    static FakeKktRegister reg(fn_number);
    g_register = &reg;

    int master = -1;
    int slave = -1;
    char name[256] = {};
    if (::openpty(&master, &slave, name, nullptr, nullptr) != 0) {
        std::fprintf(stderr, "fake_kkt: openpty: %s\n", std::strerror(errno));
        return 1;
    }
    // Raw from the start: no echo of the register's answers back into its own input. The slave
    // stays open here too, so the master never reads EIO between the daemon's reopens.
    termios tio{};
    ::tcgetattr(slave, &tio);
    ::cfmakeraw(&tio);
    ::tcsetattr(slave, TCSANOW, &tio);
    if (!pty_link.empty()) {
        std::error_code ignored;
        std::filesystem::remove(pty_link, ignored);
        std::filesystem::create_symlink(name, pty_link);
    }
    std::thread(pump, master, true).detach();
    if (tcp_port >= 0) {
        const int listener = listen_on(static_cast<unsigned short>(tcp_port));
        std::thread(serve_tcp, listener).detach();
        std::printf("tcp %d\n", tcp_port);
    }
    const int control = listen_on(control_port);
    std::thread(serve_control, control).detach();
    std::printf("pty %s\ncontrol %u\n", name, control_port);
    std::fflush(stdout);

    int signal_number = 0;
    sigwait(&signals, &signal_number);
    if (!pty_link.empty()) {
        std::error_code ignored;
        std::filesystem::remove(pty_link, ignored);
    }
    std::_Exit(0);
}
