#include "daemon/relay/sign_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "protocol/true_api_document.hpp"

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
    // The daemon blocks SIGTERM/SIGINT in every thread; the signer must not inherit that.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    std::string shell = "/bin/sh";
    std::string dash_c = "-c";
    std::string command = command_;
    std::array<char*, 4> argv = {shell.data(), dash_c.data(), command.data(), nullptr};
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv.data(), environ);
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
    if (timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        throw SignError("the sign command did not finish within " +
                        std::to_string(timeout_.count()) + " ms");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::string reason = WIFEXITED(status)
                                 ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                 : "was killed by signal " + std::to_string(WTERMSIG(status));
        if (!errors.empty()) reason += ": " + errors.substr(0, 300);
        while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r')) {
            reason.pop_back();
        }
        throw SignError("the sign command " + reason);
    }
    auto signature = protocol::signature_text(output);
    if (!signature) throw SignError("the sign command printed no signature");
    return *signature;
}

}  // namespace piotd::daemon
