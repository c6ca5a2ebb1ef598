// Starts the real piotd binary for an integration test and stops it at the end of scope.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace piotd::test {

// A fresh directory under /tmp, removed with its content at the end of scope.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// A loopback port that was free a moment ago.
unsigned short free_port();

struct RunResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

// Runs any program of the tests to completion (piotctl).
RunResult run_program(const std::string& binary, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {},
                      const std::string& stdin_text = {});

// Runs piotd with `args` to completion (for `import`, `--version`, refused starts).
RunResult run_piotd(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env = {},
                    const std::string& stdin_text = {});

class DaemonProcess {
public:
    // Starts `piotd args…` with extra environment and waits until its port accepts connections.
    DaemonProcess(const std::vector<std::string>& args, unsigned short port,
                  const std::map<std::string, std::string>& env = {});
    // Any other program of the tests (the fake upstream).
    DaemonProcess(const std::string& binary, const std::vector<std::string>& args,
                  unsigned short port, const std::map<std::string, std::string>& env = {});
    ~DaemonProcess();
    DaemonProcess(const DaemonProcess&) = delete;
    DaemonProcess& operator=(const DaemonProcess&) = delete;

    unsigned short port() const { return port_; }
    // SIGTERM and wait; returns the exit status.
    int stop();
    // SIGKILL, as a crash would.
    void kill_hard();
    std::string log() const;
    bool running() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    unsigned short port_;
    std::filesystem::path log_file_;
};

}  // namespace piotd::test
