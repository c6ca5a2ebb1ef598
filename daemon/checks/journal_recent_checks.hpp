// The status page's last checks: the check journal (every permissive-mode check: ТС ПИоТ API,
// /api/v1/piot/check, the register, the scanner; online, offline or none) merged with the
// in-memory ring of the LM API's own checks (/api/v*/cis/check), which are not journaled: they
// can be thousands of codes a request, and a write per code would put LMDB fsyncs under the
// hottest path for a view of the last 50 (docs/operations.md).
#pragma once

#include "daemon/checks/recent_checks.hpp"
#include "storage/environment.hpp"

namespace piotd::daemon {

class JournalRecentChecks : public RecentChecksProvider {
public:
    JournalRecentChecks(const storage::Environment& env, const RecentChecksProvider& lm_checks);

    // Newest first. A journal that cannot be read leaves the LM checks (and a log line).
    std::vector<CheckRecord> recent_checks(std::size_t limit) const override;

private:
    const storage::Environment& env_;
    const RecentChecksProvider& lm_checks_;
};

}  // namespace piotd::daemon
