// `piotd import --data-dir DIR --list NAME FILE|-`: bulk-loads a black list while the daemon may
// be running (it picks the change up within a second). Prints a progress line on a terminal.
#pragma once

#include "daemon/command_line.hpp"
#include "daemon/config.hpp"

namespace piotd::daemon {

// Returns the process exit code: 0 loaded, 1 failed, 3 loaded but some lines were rejected.
int run_import(const CommandLine& line, const Config& config);

}  // namespace piotd::daemon
