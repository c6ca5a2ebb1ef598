// The one deadline that bounds whatever a connection is waiting for (a request's first byte,
// the rest of it, a write the client does not take). A request must not pay for a timer: moving
// the deadline later is an assignment, and the one timer, armed at the earliest deadline still
// possible, re-arms itself to the current deadline when it fires early. Only a deadline earlier
// than the armed one (the first write after an idle wait, say) touches the timer queue.
#pragma once

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>

#include "daemon/coarse_clock.hpp"

namespace piotd::daemon {

class ConnectionDeadline {
public:
    using Executor = boost::asio::io_context::executor_type;
    using Timer = boost::asio::basic_waitable_timer<
        std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, Executor>;
    using TimePoint = std::chrono::steady_clock::time_point;

    explicit ConnectionDeadline(const Executor& executor) : timer_(executor) {}

    // What runs when the deadline passes (closing the connection), and the connection's owner:
    // only a weak reference, so a pending timer does not keep a finished connection (and its
    // slot in the connection limit) alive until it fires. Set once, before the first
    // expires_after.
    void bind(std::weak_ptr<void> owner, std::function<void()> on_expiry) {
        owner_ = std::move(owner);
        on_expiry_ = std::move(on_expiry);
    }

    void expires_after(std::chrono::steady_clock::duration timeout) {
        deadline_ = coarse_steady_now() + timeout;
        if (!armed_ || deadline_ < timer_.expiry()) arm();
    }
    // No deadline until the next expires_after (a parked connection has no timeout).
    void clear() { deadline_ = TimePoint::max(); }
    TimePoint at() const { return deadline_; }
    void cancel() { timer_.cancel(); }

private:
    void arm();

    Timer timer_;
    TimePoint deadline_ = TimePoint::max();
    bool armed_ = false;
    std::weak_ptr<void> owner_;
    std::function<void()> on_expiry_;
};

}  // namespace piotd::daemon
