#include "daemon/replication/background_priority.hpp"

#include <linux/ioprio.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "daemon/log.hpp"

namespace piotd::daemon {

namespace {

void refused(const char* what, int error) {
    log_warning("replication", std::string("cannot set the replication thread's ") + what + ": " +
                                   std::strerror(error) +
                                   "; an ingest competes with checks for the CPU and the disk");
}

}  // namespace

void lower_to_background_priority(pid_t tid) {
    // nice 19 first: it is what SCHED_BATCH runs at when StarvationWatch lifts the thread.
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(tid), 19) != 0) refused("nice 19", errno);
    const sched_param param{};
    if (sched_setscheduler(tid, SCHED_IDLE, &param) != 0) refused("SCHED_IDLE policy", errno);
    if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, tid,
                IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, IOPRIO_BE_NR - 1)) != 0) {
        refused("I/O priority (best effort, level 7)", errno);
    }
}

}  // namespace piotd::daemon
