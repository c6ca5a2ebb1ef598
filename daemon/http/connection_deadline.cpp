#include "daemon/http/connection_deadline.hpp"

namespace piotd::daemon {

void ConnectionDeadline::arm() {
    armed_ = true;
    timer_.expires_at(deadline_);
    timer_.async_wait([this, owner = owner_](boost::system::error_code ec) {
        const auto alive = owner.lock();
        if (!alive || ec == boost::asio::error::operation_aborted) return;
        armed_ = false;
        if (deadline_ == TimePoint::max()) return;
        if (std::chrono::steady_clock::now() < deadline_) return arm();
        // Passed: the pending read or write completes with an error and ends the connection.
        on_expiry_();
    });
}

}  // namespace piotd::daemon
