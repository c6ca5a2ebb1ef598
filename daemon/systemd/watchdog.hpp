// Feeds the systemd watchdog from the HTTP event loops themselves: every loop stamps a heartbeat
// on a timer, and WATCHDOG=1 goes out (every WatchdogSec/2) only while every loop has stamped
// recently. A wedged loop stops the pings, and systemd restarts the daemon.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace piotd::daemon {

class Watchdog {
public:
    using Send = std::function<void(std::string_view message)>;
    // `interval`: systemd's WatchdogSec. The loops must run until stop() (and a little after).
    Watchdog(std::vector<boost::asio::io_context*> loops, std::chrono::microseconds interval,
             Send send);
    ~Watchdog();

    void start();
    // No more pings after this returns (the timers end on their next tick).
    void stop();

    struct State;  // shared with the timers' handlers, which may outlive this object

private:
    std::shared_ptr<State> state_;
    std::vector<boost::asio::io_context*> loops_;
};

}  // namespace piotd::daemon
