#include "tests/support/daemon_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace piotd::test {

namespace {

std::filesystem::path unique_path(const std::string& stem) {
    static std::mt19937_64 rng{std::random_device{}()};
    return std::filesystem::temp_directory_path() /
           (stem + "-" + std::to_string(getpid()) + "-" + std::to_string(rng()));
}

bool port_accepts(unsigned short port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    return ok;
}

// fork + exec with stdout/stderr to `log`, optional stdin file.
pid_t spawn(const std::string& program, const std::vector<std::string>& args,
            const std::map<std::string, std::string>& env, const std::filesystem::path& log,
            const std::filesystem::path& stdin_file) {
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
        if (!stdin_file.empty()) {
            const int in = open(stdin_file.c_str(), O_RDONLY);
            dup2(in, STDIN_FILENO);
        }
        for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
        std::vector<char*> argv;
        std::string binary = program;
        argv.push_back(binary.data());
        std::vector<std::string> copy = args;
        for (auto& arg : copy) argv.push_back(arg.data());
        argv.push_back(nullptr);
        execv(binary.c_str(), argv.data());
        _exit(127);
    }
    return pid;
}

std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TempDir::TempDir() : path_(unique_path("piotd-test")) {
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

unsigned short free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    close(fd);
    return ntohs(address.sin_port);
}

RunResult run_piotd(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env, const std::string& stdin_text) {
    return run_program(PIOTD_BINARY, args, env, stdin_text);
}

RunResult run_program(const std::string& binary, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env,
                      const std::string& stdin_text) {
    const auto log = unique_path("piotd-run") += ".log";
    std::filesystem::path input;
    if (!stdin_text.empty()) {
        input = unique_path("piotd-stdin");
        std::ofstream(input) << stdin_text;
    }
    const pid_t pid = spawn(binary, args, env, log, input.empty() ? "/dev/null" : input);
    int status = 0;
    waitpid(pid, &status, 0);
    RunResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    result.output = read_file(log);
    std::filesystem::remove(log);
    if (!input.empty()) std::filesystem::remove(input);
    return result;
}

DaemonProcess::DaemonProcess(const std::vector<std::string>& args, unsigned short port,
                             const std::map<std::string, std::string>& env)
    : DaemonProcess(PIOTD_BINARY, args, port, env) {}

DaemonProcess::DaemonProcess(const std::string& binary, const std::vector<std::string>& args,
                             unsigned short port, const std::map<std::string, std::string>& env)
    : port_(port), log_file_(unique_path("piotd-daemon") += ".log") {
    pid_ = spawn(binary, args, env, log_file_, {});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("piotd exited at start:\n" + log());
        }
        if (port_accepts(port_)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill_hard();
    throw std::runtime_error("piotd did not open its port in time:\n" + log());
}

DaemonProcess::~DaemonProcess() {
    if (pid_ > 0) stop();
    std::error_code ignored;
    std::filesystem::remove(log_file_, ignored);
}

int DaemonProcess::stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 500; ++i) {
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill_hard();
    return -SIGKILL;
}

void DaemonProcess::kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

std::string DaemonProcess::log() const {
    return read_file(log_file_);
}

}  // namespace piotd::test
