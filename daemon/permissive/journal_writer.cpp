#include "daemon/permissive/journal_writer.hpp"

#include <chrono>

#include "daemon/log.hpp"
#include "storage/transaction.hpp"

namespace piotd::daemon {

namespace {

constexpr std::size_t kMaxQueued = 100'000;  // beyond this, entries are dropped (disk stuck)
constexpr std::size_t kBatch = 4096;
constexpr auto kGather = std::chrono::milliseconds(50);

std::string detail(const ItemVerdict* verdict, const CheckOutcome& outcome) {
    std::string text;
    if (verdict != nullptr) {
        for (const protocol::Reason* reason : verdict->decision.reasons()) {
            if (!text.empty()) text += ",";
            text += reason->code;
        }
    }
    if (outcome.source != CheckSource::online && !outcome.online_failure.empty()) {
        if (!text.empty()) text += "; ";
        text += "online: " + outcome.online_failure;
    }
    if (!outcome.lm_failure.empty()) {
        if (!text.empty()) text += "; ";
        text += "lm: " + outcome.lm_failure;
    }
    return text.substr(0, 1000);
}

}  // namespace

JournalWriter::JournalWriter(storage::Environment& env, storage::JournalRetention retention,
                             storage::BlackLists* lists)
    : env_(env), retention_(retention), lists_(lists), thread_([this] { run(); }) {}

JournalWriter::~JournalWriter() {
    stop();
}

void JournalWriter::record(const std::vector<CheckItem>& items, const CheckOutcome& outcome,
                           std::int64_t now_ms, bool ahead) {
    std::vector<storage::JournalEntry> entries;
    entries.reserve(items.size());
    std::vector<std::string> learned;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const ItemVerdict* verdict = i < outcome.items.size() ? &outcome.items[i] : nullptr;
        storage::JournalEntry entry;
        entry.time_ms = now_ms;
        entry.source = ahead ? "ahead:" + std::string(check_source_name(outcome.source))
                             : std::string(check_source_name(outcome.source));
        entry.allowed = verdict != nullptr && verdict->decision.allowed;
        entry.req_id = outcome.req_id;
        entry.detail = detail(verdict, outcome);
        entry.code = items[i].code.full();
        // An upstream's verdict (the True API's, the LM's) is kept as the code's newest.
        if (verdict != nullptr &&
            (outcome.source == CheckSource::online || outcome.source == CheckSource::lm)) {
            entry.verdict_ki = items[i].code.ki();
            // Blocked by the upstream itself (isBlocked), not by piotd's own lists.
            const bool blocked = outcome.source == CheckSource::lm
                                     ? verdict->offline.is_blocked
                                     : verdict->decision.has(protocol::ReasonId::blocked);
            if (blocked && !outcome.checked_ahead) learned.push_back(entry.verdict_ki);
        }
        entries.push_back(std::move(entry));
    }
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() + entries.size() > kMaxQueued) return;
        first = queue_.empty() && learned_.empty();
        for (auto& entry : entries) queue_.push_back(std::move(entry));
        if (lists_ != nullptr) {
            for (auto& ki : learned) learned_.push_back(std::move(ki));
        }
    }
    // Only the first entry of a batch wakes the writer; the rest ride along.
    if (first) wake_.notify_one();
}

void JournalWriter::learn(std::vector<std::string> kis) {
    if (lists_ == nullptr || kis.empty()) return;
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        if (learned_.size() + kis.size() > kMaxQueued) return;
        first = queue_.empty() && learned_.empty();
        for (auto& ki : kis) learned_.push_back(std::move(ki));
    }
    if (first) wake_.notify_one();
}

void JournalWriter::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void JournalWriter::run() {
    std::vector<storage::JournalEntry> batch;
    std::vector<std::string> learned;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty() || !learned_.empty(); });
            if (queue_.empty() && learned_.empty() && stopping_) return;
            // Gather for a moment: one commit (one fsync) for every check of the next 50 ms,
            // instead of a commit and a thread wake-up competing with every answer.
            wake_.wait_for(lock, kGather, [this] { return stopping_ || queue_.size() >= kBatch; });
            batch.swap(queue_);
            learned.swap(learned_);
        }
        try {
            storage::WriteTxn txn(env_);
            if (!batch.empty()) append_journal(txn, batch, retention_, batch.back().time_ms);
            bool changed = false;
            for (const std::string& ki : learned) {
                const storage::ListItemParse item =
                    storage::parse_list_item(storage::ListName::learned, ki);
                if (item.ok)
                    changed = lists_->add(txn, storage::ListName::learned, item.item) || changed;
            }
            txn.commit();
            if (changed) lists_->publish();
        } catch (const std::exception& e) {
            log_error("journal", std::string("cannot write the check journal: ") + e.what());
        }
        batch.clear();
        learned.clear();
    }
}

}  // namespace piotd::daemon
