// piotctl's exit codes (docs/piotctl.md): scripts branch on them.
#pragma once

namespace piotd::ctl {

enum ExitCode : int {
    kOk = 0,
    kProblem = 1,      // doctor found a problem, the module is not ready, a code is blocked/invalid
    kUsage = 2,        // bad command line
    kUnreachable = 3,  // the daemon cannot be reached
    kUnauthorized = 4,  // the daemon refused the credentials
    kUnsupported = 5,   // the daemon does not have this endpoint (older, or feature not merged)
    kDaemonError = 6,   // the daemon answered an error
    kNotFound = 7,      // the daemon has no such item (an outbox document id)
};

}  // namespace piotd::ctl
