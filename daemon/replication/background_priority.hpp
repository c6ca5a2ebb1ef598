// How the replication thread gives way to checks (docs/replication.md): nice 19 and SCHED_IDLE
// for the CPU, and best-effort level 7 for its disk writes. The I/O class is set on purpose:
// left unset, the kernel derives the idle I/O class from SCHED_IDLE, and with mq-deadline or BFQ
// an idle-class LMDB commit waits behind every other write on the disk (up to mq-deadline's 10 s
// aging per request), which starves a load on a till whose disk is busy.
#pragma once

#include <sys/types.h>

namespace piotd::daemon {

// Applies all three to thread `tid` (the calling thread); logs what the kernel refused.
void lower_to_background_priority(pid_t tid);

}  // namespace piotd::daemon
