// Writes check-journal entries off the reply path: the checker queues them after the answer has
// gone out; a thread of its own commits them in batches (one fsync for many checks), so a slow
// disk never delays an answer. Entries still queued at a crash are lost; answers are not.
//
// It also learns (docs/local-module.md): a code the True API or the store's local module reports
// blocked goes onto the `learned` list in the same transaction, which replicates to the tills
// like the other lists, so their microsecond lookup knows it.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon/permissive/permissive_checker.hpp"
#include "storage/black_lists.hpp"
#include "storage/check_journal.hpp"
#include "storage/environment.hpp"

namespace piotd::daemon {

class JournalWriter {
public:
    // `lists`: where learned blocks go; null: none are learned.
    JournalWriter(storage::Environment& env, storage::JournalRetention retention,
                  storage::BlackLists* lists = nullptr);
    ~JournalWriter();
    JournalWriter(const JournalWriter&) = delete;
    JournalWriter& operator=(const JournalWriter&) = delete;

    // `ahead`: a check made ahead of the sale (scan-ahead): journalled with its source as
    // "ahead:online" or "ahead:lm", so the status page's recent checks, which show what the POS
    // asked, can leave it out.
    void record(const std::vector<CheckItem>& items, const CheckOutcome& outcome,
                std::int64_t now_ms, bool ahead = false);
    // КИ an upstream reported blocked (the LM API's checks in front of an LM); `record` finds the
    // chain's own.
    void learn(std::vector<std::string> kis);
    // Commits what is queued and stops the thread.
    void stop();

private:
    void run();

    storage::Environment& env_;
    storage::JournalRetention retention_;
    storage::BlackLists* lists_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<storage::JournalEntry> queue_;
    std::vector<std::string> learned_;  // КИ to add to `learned`
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace piotd::daemon
