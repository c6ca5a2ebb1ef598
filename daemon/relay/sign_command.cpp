#include "daemon/relay/sign_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "daemon/log.hpp"
#include "protocol/trueapi/true_api_document.hpp"

extern char** environ;

namespace piotd::daemon {

namespace {

constexpr std::size_t kMaxOutput = 1u << 20;

struct Pipe {
    int fd[2] = {-1, -1};
    Pipe() {
        if (::pipe2(fd, O_CLOEXEC) != 0) throw SignError("pipe: " + std::string(strerror(errno)));
    }
    ~Pipe() {
        close_read();
        close_write();
    }
    void close_read() {
        if (fd[0] >= 0) ::close(fd[0]);
        fd[0] = -1;
    }
    void close_write() {
        if (fd[1] >= 0) ::close(fd[1]);
        fd[1] = -1;
    }
};

// What the signer may see of piotd's environment: enough to find its tools and speak the
// locale; never PIOTD_TOKEN, PIOTD_PASSWORD or any other credential.
bool passed_to_signer(std::string_view entry) {
    static constexpr std::string_view kKept[] = {
        "PATH=", "HOME=",    "LANG=",  "LANGUAGE=", "TZ=",          "TMPDIR=",
        "USER=", "LOGNAME=", "SHELL=", "LC_",       "OPENSSL_CONF="};
    for (const std::string_view prefix : kKept) {
        if (entry.starts_with(prefix)) return true;
    }
    return false;
}

std::vector<char*> signer_environment() {
    std::vector<char*> env;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        if (passed_to_signer(*entry)) env.push_back(*entry);
    }
    env.push_back(nullptr);
    return env;
}

// A descriptor that becomes readable when the child exits, so its exit can be waited for with a
// deadline (pidfd_open, Linux 5.3); -1 where the kernel has none (then waitpid is polled).
int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
    (void)pid;
    return -1;
#endif
}

// Waits for the child until `deadline`; true with its status when it exited in time.
bool wait_until(pid_t pid, std::chrono::steady_clock::time_point deadline, int& status) {
    const int pidfd = open_pidfd(pid);
    for (;;) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR)) {
            if (pidfd >= 0) ::close(pidfd);
            return done == pid;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        if (pidfd >= 0) {
            pollfd fd{pidfd, POLLIN, 0};
            ::poll(&fd, 1, static_cast<int>(left.count()));
        } else {
            std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(10)));
        }
    }
    if (pidfd >= 0) ::close(pidfd);
    return false;
}

// The signer's whole process group (a shell and whatever it started), then its reaping.
void kill_group(pid_t pid) {
    ::kill(-pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

std::string SignCommand::sign(std::string_view document) const {
    Pipe in;
    Pipe out;
    Pipe err;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
    // Nothing else of piotd's: no listening socket (a grandchild that outlives the signer would
    // keep 5995 bound), no client connection, no data.mdb.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    // The daemon blocks SIGTERM/SIGINT in every thread; the signer must not inherit that. Its
    // own process group, so a timeout kills whatever it started too.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
    std::vector<char*> env = signer_environment();
    std::string shell = "/bin/sh";
    std::string dash_c = "-c";
    std::string command = command_;
    std::array<char*, 4> argv = {shell.data(), dash_c.data(), command.data(), nullptr};
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw SignError("cannot start the sign command: " + std::string(strerror(rc)));
    in.close_read();
    out.close_write();
    err.close_write();
    ::fcntl(in.fd[1], F_SETFL, O_NONBLOCK);

    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    std::string output;
    std::string errors;
    std::size_t written = 0;
    if (document.empty()) in.close_write();
    bool timed_out = false;
    while (out.fd[0] >= 0 || err.fd[0] >= 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        std::array<pollfd, 3> fds{};
        nfds_t n = 0;
        fds[n++] = {out.fd[0], POLLIN, 0};
        fds[n++] = {err.fd[0], POLLIN, 0};
        fds[n++] = {in.fd[1], POLLOUT, 0};
        const int ready = ::poll(fds.data(), n, static_cast<int>(left.count()));
        if (ready < 0 && errno != EINTR) break;
        for (nfds_t i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            char buffer[16384];
            const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
            std::string& sink = i == 0 ? output : errors;
            if (got <= 0) {
                (i == 0 ? out : err).close_read();
            } else if (sink.size() < kMaxOutput) {
                sink.append(buffer, static_cast<std::size_t>(got));
            }
        }
        if (in.fd[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
            const ssize_t put =
                ::write(in.fd[1], document.data() + written, document.size() - written);
            if (put > 0) written += static_cast<std::size_t>(put);
            if (put < 0 && errno != EAGAIN) in.close_write();  // EPIPE: it stopped reading
            if (written == document.size()) in.close_write();
        }
    }
    in.close_write();
    // A signer that closed its pipes and went on (sleeping, or left a child behind) is waited
    // for only until the same deadline.
    int status = 0;
    if (timed_out || !wait_until(pid, deadline, status)) {
        kill_group(pid);
        throw SignError("the sign command did not finish within " +
                        std::to_string(timeout_.count()) + " ms");
    }
    ::kill(-pid, SIGKILL);  // anything it left running in its group
    // Its stderr goes to the log, never to a client (it may hold paths, key names, PINs).
    while (!errors.empty() && (errors.back() == '\n' || errors.back() == '\r')) errors.pop_back();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        const std::string reason = WIFEXITED(status)
                                       ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                       : "was killed by signal " + std::to_string(WTERMSIG(status));
        log_warning("relay", "the sign command " + reason +
                                 (errors.empty() ? "" : ": " + errors.substr(0, 1000)));
        throw SignError("the sign command " + reason + " (its stderr is in piotd's log)");
    }
    if (!errors.empty()) log_info("relay", "the sign command said: " + errors.substr(0, 1000));
    auto signature = protocol::signature_text(output);
    if (!signature) throw SignError("the sign command printed no signature");
    return *signature;
}

}  // namespace piotd::daemon
