// `piotd --demo` with a config file of the test's own (`config_text`), in a fresh data dir, on a
// free loopback port: the daemon most hostile-input tests start.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "tests/support/daemon_process.hpp"

namespace piotd::test {

struct ConfiguredDaemon {
    TempDir dir;
    unsigned short port = free_port();
    DaemonProcess process;

    explicit ConfiguredDaemon(const std::string& config_text)
        : process(
              [&] {
                  const auto config = dir.path() / "piotd.conf";
                  std::ofstream(config) << config_text;
                  return std::vector<std::string>{"--demo", "--config", config.string(),
                                                  "--data-dir", (dir.path() / "data").string(),
                                                  "--listen",
                                                  "127.0.0.1:" + std::to_string(port)};
              }(),
              port) {}
};

}  // namespace piotd::test
