#include "daemon/checks/journal_recent_checks.hpp"

#include <algorithm>

#include "daemon/log.hpp"
#include "storage/check_journal.hpp"
#include "storage/transaction.hpp"

namespace piotd::daemon {

namespace {

// The journal keeps "allowed or not"; the page's verdicts: a refused sale shows as blocked, and
// a check that could be made neither online nor offline (source "none") as not_ready.
CheckVerdict journal_verdict(const storage::JournalEntry& entry) {
    if (entry.source == "none") return CheckVerdict::not_ready;
    return entry.allowed ? CheckVerdict::not_blocked : CheckVerdict::blocked;
}

}  // namespace

JournalRecentChecks::JournalRecentChecks(const storage::Environment& env,
                                         const RecentChecksProvider& lm_checks)
    : env_(env), lm_checks_(lm_checks) {}

std::vector<CheckRecord> JournalRecentChecks::recent_checks(std::size_t limit) const {
    std::vector<CheckRecord> out = lm_checks_.recent_checks(limit);
    try {
        const storage::ReadTxn txn(env_);
        for (storage::JournalEntry& entry : storage::read_journal(txn, limit, 0)) {
            // Checks made ahead of a sale (scan-ahead) are not what the POS asked.
            if (entry.source.starts_with("ahead:")) continue;
            CheckRecord record;
            record.time_ms = entry.time_ms;
            record.verdict = journal_verdict(entry);
            record.source = std::move(entry.source);
            entry.code.resize(std::min(entry.code.size(), RecentChecksRing::kMaxCodeBytes));
            record.code = std::move(entry.code);
            out.push_back(std::move(record));  // no duration: the latency is in /metrics
        }
    } catch (const std::exception& e) {
        log_error("status", std::string("cannot read the check journal: ") + e.what());
    }
    // Both inputs are newest first; stable, so equal times keep the LM ring's order first.
    std::stable_sort(out.begin(), out.end(), [](const CheckRecord& a, const CheckRecord& b) {
        return a.time_ms > b.time_ms;
    });
    if (out.size() > limit) out.resize(limit);
    return out;
}

}  // namespace piotd::daemon
