// Per-CPU slots for values every I/O thread writes on every request (metric counts, the recent
// checks ring). One shared atomic or lock would move its cache line between the cores at each
// check; with one slot per CPU a core writes its own line, and the rare reader (a scrape, the
// status page) adds the slots up. A thread that migrates mid-update only lands in another slot.
#pragma once

#include <sched.h>

#include <cstddef>

namespace piotd::daemon {

// Tills have two to four cores; CPUs beyond share slots (correct, only less spread).
inline constexpr std::size_t kCpuSlots = 4;

// The calling thread's slot: glibc reads the CPU from rseq, a few nanoseconds.
inline std::size_t cpu_slot() {
    const int cpu = sched_getcpu();
    return cpu < 0 ? 0 : static_cast<std::size_t>(cpu) % kCpuSlots;
}

}  // namespace piotd::daemon
