#include "daemon/relay/relay.hpp"

#include <algorithm>

#include "daemon/log.hpp"
#include "protocol/documents/relay_document.hpp"
#include "storage/storage_error.hpp"

namespace piotd::daemon {

namespace {

constexpr std::chrono::milliseconds kIdleWait{1000};
constexpr std::chrono::seconds kPrunePeriod{60};
constexpr std::size_t kPruneBudget = 2000;

}  // namespace

Relay::Relay(storage::Outbox& outbox, const RelayConfig& config, const Clock& clock,
             std::unique_ptr<DocumentSender> sender)
    : outbox_(outbox),
      config_(config),
      clock_(clock),
      sender_(std::move(sender)),
      backoff_(std::chrono::milliseconds(config.backoff_min_ms),
               std::chrono::milliseconds(config.backoff_max_ms)) {}

Relay::~Relay() {
    stop();
}

void Relay::start() {
    thread_ = std::thread([this] { run(); });
}

void Relay::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (sender_) sender_->interrupt();
    if (thread_.joinable()) thread_.join();
}

void Relay::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

bool Relay::sending(std::uint64_t seq) const {
    std::lock_guard lock(mutex_);
    return in_round_.contains(seq);
}

bool Relay::stopping() const {
    std::lock_guard lock(mutex_);
    return stopping_;
}

void Relay::run() {
    for (;;) {
        std::chrono::milliseconds delay = kIdleWait;
        try {
            prune();
            delay = round();
        } catch (const storage::StorageError& e) {
            log_error("relay", e.what());
            delay = std::chrono::milliseconds(config_.backoff_min_ms);
        } catch (const std::exception& e) {
            log_error("relay", e.what());
            delay = std::chrono::milliseconds(config_.backoff_min_ms);
        }
        std::unique_lock lock(mutex_);
        if (delay.count() > 0) {
            wake_.wait_for(lock, delay, [this] { return stopping_ || woken_; });
        }
        woken_ = false;
        if (stopping_) return;
    }
}

void Relay::apply(storage::OutboxRecord& record, const SendOutcome& outcome, std::int64_t now) {
    record.updated_ms = now;
    switch (outcome.status) {
        case SendStatus::delivered:
            record.state = storage::OutboxState::delivered;
            record.attempts = 0;
            record.last_error.clear();
            record.next_attempt_ms = 0;
            break;
        case SendStatus::accepted:
            record.state = storage::OutboxState::checking;
            record.upstream_id = outcome.upstream_id;
            record.attempts = 0;
            record.last_error.clear();
            record.next_attempt_ms = now + config_.poll_ms;
            break;
        case SendStatus::processing:
            record.next_attempt_ms = now + config_.poll_ms;
            break;
        case SendStatus::transient:
            ++record.attempts;
            record.last_error = outcome.detail;
            record.next_attempt_ms = now + backoff_.after(record.attempts).count();
            break;
        case SendStatus::rejected:
            ++record.rejections;
            record.last_error = outcome.detail;
            if (record.rejections >= config_.dead_after) {
                record.state = storage::OutboxState::dead;
                log_warning("relay", "document " + record.id + " is dead after " +
                                         std::to_string(record.rejections) +
                                         " rejections: " + outcome.detail);
            } else {
                // A True API rejection after processing: the document must be created again.
                record.state = storage::OutboxState::rejected;
                record.upstream_id.clear();
                record.next_attempt_ms = now + backoff_.after(record.rejections).count();
            }
            break;
    }
}

std::chrono::milliseconds Relay::round() {
    if (!sender_) return kIdleWait;  // no relay configured: only pruning runs
    std::vector<storage::OutboxRecord> pending = outbox_.pending(config_.batch);
    if (pending.empty()) return kIdleWait;
    {
        std::lock_guard lock(mutex_);
        for (const auto& record : pending) in_round_.insert(record.seq);
    }
    // However the round ends (a failed commit throws), nothing stays "sending".
    struct RoundEnd {
        Relay& relay;
        ~RoundEnd() {
            std::lock_guard lock(relay.mutex_);
            relay.in_round_.clear();
        }
    } round_end{*this};
    std::vector<storage::OutboxRecord> changed;
    std::int64_t wait_until = 0;  // 0: no reason to wait
    const auto note_wait = [&](std::int64_t at) {
        if (wait_until == 0 || at < wait_until) wait_until = at;
    };
    const auto settle = [&](storage::OutboxRecord& record, const SendOutcome& outcome) {
        apply(record, outcome, clock_.now_ms());
        changed.push_back(record);
        if (storage::outbox_pending(record.state)) note_wait(record.next_attempt_ms);
        // Order: a document that must wait holds back the ones after it.
        return outcome.status == SendStatus::transient ||
               (outcome.status == SendStatus::rejected &&
                record.state != storage::OutboxState::dead);
    };
    std::size_t i = 0;
    while (i < pending.size() && !stopping()) {
        storage::OutboxRecord& record = pending[i];
        const std::int64_t now = clock_.now_ms();
        const bool checking = record.state == storage::OutboxState::checking;
        if (record.next_attempt_ms > now) {
            note_wait(record.next_attempt_ms);
            if (checking) {
                ++i;
                continue;
            }
            break;  // order: nothing overtakes a document that waits
        }
        if (checking) {
            SendOutcome outcome;
            try {
                outcome = sender_->check(record);
            } catch (const UpstreamError& e) {
                outcome = {SendStatus::transient, e.what(), {}};
            }
            settle(record, outcome);  // a status lookup holds nothing back
            ++i;
            continue;
        }
        // A run of due documents from here, sent together when the upstream can take them so.
        std::vector<const storage::OutboxRecord*> run;
        std::vector<protocol::RelayDocument> documents;
        for (std::size_t j = i; j < pending.size(); ++j) {
            const storage::OutboxRecord& next = pending[j];
            if (next.state == storage::OutboxState::checking || next.next_attempt_ms > now) break;
            protocol::DocumentParse parsed = protocol::parse_document(next.document, "");
            if (!parsed.ok) break;
            run.push_back(&next);
            documents.push_back(std::move(parsed.document));
        }
        if (run.empty()) {
            const protocol::DocumentParse parsed = protocol::parse_document(record.document, "");
            const bool hold =
                settle(record, {SendStatus::rejected,
                                "stored document is unreadable: " + parsed.error.field + " " +
                                    parsed.error.message,
                                {}});
            ++i;
            if (hold) break;
            continue;
        }
        std::vector<SendOutcome> outcomes;
        try {
            outcomes = sender_->send_run(run, documents);
        } catch (const UpstreamError& e) {
            outcomes = {{SendStatus::transient, e.what(), {}}};
        }
        if (outcomes.empty()) break;
        bool hold = false;
        for (std::size_t k = 0; k < outcomes.size() && k < run.size(); ++k) {
            hold = settle(pending[i + k], outcomes[k]) || hold;
        }
        i += std::min(outcomes.size(), run.size());
        if (hold) break;
    }
    if (!changed.empty()) {
        storage::WriteTxn txn(outbox_.env());
        for (const auto& record : changed) outbox_.update(txn, record);
        txn.commit();
    }
    if (wait_until == 0) return std::chrono::milliseconds{0};  // more may be pending: go on
    const std::int64_t left = wait_until - clock_.now_ms();
    return std::chrono::milliseconds{std::clamp<std::int64_t>(left, 0, 60'000)};
}

void Relay::prune() {
    const auto now = std::chrono::steady_clock::now();
    if (last_prune_ != std::chrono::steady_clock::time_point{} &&
        now - last_prune_ < kPrunePeriod) {
        return;
    }
    last_prune_ = now;
    const std::int64_t before = clock_.now_ms() - std::int64_t{config_.retention_days} * 86'400'000;
    std::size_t total = 0;
    for (;;) {
        const std::size_t deleted = outbox_.prune(before, config_.keep_max, kPruneBudget);
        total += deleted;
        if (deleted < kPruneBudget || stopping()) break;
    }
    if (total > 0) log_info("relay", "pruned " + std::to_string(total) + " finished documents");
}

}  // namespace piotd::daemon
