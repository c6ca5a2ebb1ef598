#include "daemon/systemd/watchdog.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>

namespace piotd::daemon {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
        .count();
}

}  // namespace

struct Watchdog::State {
    std::chrono::microseconds interval;
    Send send;
    std::atomic<bool> stopped{false};
    std::unique_ptr<std::atomic<std::int64_t>[]> beats;  // per loop, steady µs
    std::size_t loops = 0;
    std::atomic<std::int64_t> last_ping_us{0};

    // Called on loop 0 only.
    void maybe_ping() {
        const std::int64_t now = now_us();
        if (now - last_ping_us.load() < interval.count() / 2) return;
        for (std::size_t i = 0; i < loops; ++i) {
            if (now - beats[i].load(std::memory_order_relaxed) > interval.count() / 2) return;
        }
        last_ping_us.store(now);
        send("WATCHDOG=1");
    }
};

namespace {

void arm(const std::shared_ptr<Watchdog::State>& state, std::size_t index,
         const std::shared_ptr<boost::asio::steady_timer>& timer);

}  // namespace

Watchdog::Watchdog(std::vector<boost::asio::io_context*> loops, std::chrono::microseconds interval,
                   Send send)
    : state_(std::make_shared<State>()), loops_(std::move(loops)) {
    state_->interval = interval;
    state_->send = std::move(send);
    state_->loops = loops_.size();
    state_->beats = std::make_unique<std::atomic<std::int64_t>[]>(loops_.size());
}

Watchdog::~Watchdog() {
    stop();
}

namespace {

// Heartbeats every interval/4, so a healthy loop is never more than interval/2 stale when loop 0
// decides whether to ping.
void arm(const std::shared_ptr<Watchdog::State>& state, std::size_t index,
         const std::shared_ptr<boost::asio::steady_timer>& timer) {
    timer->expires_after(std::max(state->interval / 4, std::chrono::microseconds(1000)));
    timer->async_wait([state, index, timer](const boost::system::error_code& ec) {
        if (ec || state->stopped.load()) return;
        state->beats[index].store(now_us(), std::memory_order_relaxed);
        if (index == 0) state->maybe_ping();
        arm(state, index, timer);
    });
}

}  // namespace

void Watchdog::start() {
    const std::int64_t now = now_us();
    for (std::size_t i = 0; i < loops_.size(); ++i) state_->beats[i].store(now);
    for (std::size_t i = 0; i < loops_.size(); ++i) {
        boost::asio::io_context& io = *loops_[i];
        boost::asio::post(io, [state = state_, i, &io] {
            arm(state, i, std::make_shared<boost::asio::steady_timer>(io));
        });
    }
}

void Watchdog::stop() {
    state_->stopped.store(true);
}

}  // namespace piotd::daemon
