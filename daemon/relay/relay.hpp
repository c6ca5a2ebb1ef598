// The outbox relay (docs/relay.md): a thread that sends pending documents upstream in seq order,
// at least once. A round takes up to `batch` pending documents, sends them one by one and
// commits every resulting state change in one transaction; a crash before that commit only
// means the same documents are sent again, and the receiver dedups them by id.
//
// Order: a queued or rejected document that must wait (backoff) holds back every later one, so
// a sale and its return never overtake each other. Documents the True API accepted (checking)
// are polled on their own schedule and hold nothing back.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "daemon/clock.hpp"
#include "daemon/relay/document_sender.hpp"
#include "daemon/relay/relay_config.hpp"
#include "daemon/retry_backoff.hpp"
#include "storage/outbox.hpp"

namespace piotd::daemon {

class Relay {
public:
    Relay(storage::Outbox& outbox, const RelayConfig& config, const Clock& clock,
          std::unique_ptr<DocumentSender> sender);
    ~Relay();
    Relay(const Relay&) = delete;
    Relay& operator=(const Relay&) = delete;

    void start();
    void stop();
    // A document was enqueued, or a dead one put back: look now.
    void wake();
    // The document is in the round under way (shown as "sending").
    bool sending(std::uint64_t seq) const;

private:
    void run();
    // Returns how long to wait before the next round.
    std::chrono::milliseconds round();
    void apply(storage::OutboxRecord& record, const SendOutcome& outcome, std::int64_t now);
    void prune();
    bool stopping() const;

    storage::Outbox& outbox_;
    const RelayConfig& config_;
    const Clock& clock_;
    std::unique_ptr<DocumentSender> sender_;
    RetryBackoff backoff_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool woken_ = false;
    std::set<std::uint64_t> in_round_;
    std::thread thread_;
    std::chrono::steady_clock::time_point last_prune_{};
};

}  // namespace piotd::daemon
