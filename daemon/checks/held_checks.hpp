// The check events of the request this thread is answering, held until its answer is on the
// socket. The observers (metrics, the status page's ring) cost about 400 instructions per check,
// 5 % of a whole HTTP check; a client waiting for its answer need not wait for them too. The
// handler holds its events here and sets Reply::after_sent to deliver_held_checks, which the
// session calls on the same thread right after writing the answer.
//
// Per thread, so holding allocates nothing after warm-up and needs no lock; a connection handles
// one request at a time, and the session delivers before it reads the next one, so a client that
// asks for /metrics or the status page on the same connection always sees its own checks.
#pragma once

#include "daemon/checks/check_event.hpp"

namespace piotd::daemon {

// Copies `event` and its code. Its source must be a string literal (it is kept as a view).
// Events still held for another observer, or more than a few thousand (answers that were never
// sent: their connection failed), are delivered first, so nothing is lost or held for long.
void hold_check(CheckObserver& observer, const CheckEvent& event);

// Hands this thread's held events to their observer, in one call, and forgets them.
void deliver_held_checks() noexcept;

}  // namespace piotd::daemon
