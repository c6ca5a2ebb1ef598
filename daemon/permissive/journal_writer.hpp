// Writes check-journal entries off the reply path: the checker queues them after the answer has
// gone out; a thread of its own commits them in batches (one fsync for many checks), so a slow
// disk never delays an answer. Entries still queued at a crash are lost; answers are not.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "daemon/permissive/permissive_checker.hpp"
#include "storage/check_journal.hpp"
#include "storage/environment.hpp"

namespace piotd::daemon {

class JournalWriter {
public:
    JournalWriter(storage::Environment& env, storage::JournalRetention retention);
    ~JournalWriter();
    JournalWriter(const JournalWriter&) = delete;
    JournalWriter& operator=(const JournalWriter&) = delete;

    void record(const std::vector<CheckItem>& items, const CheckOutcome& outcome,
                std::int64_t now_ms);
    // Commits what is queued and stops the thread.
    void stop();

private:
    void run();

    storage::Environment& env_;
    storage::JournalRetention retention_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<storage::JournalEntry> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace piotd::daemon
