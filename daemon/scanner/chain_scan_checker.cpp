#include "daemon/scanner/chain_scan_checker.hpp"

#include "daemon/permissive/waited_check.hpp"

namespace piotd::daemon {

std::string_view scan_verdict_name(ScanVerdictKind kind) {
    switch (kind) {
        case ScanVerdictKind::allowed:
            return "allowed";
        case ScanVerdictKind::blocked:
            return "blocked";
        case ScanVerdictKind::unavailable:
            return "unavailable";
    }
    return "unavailable";
}

ScanVerdict ChainScanChecker::check(const protocol::MarkingCode& code) {
    const auto items = std::make_shared<const std::vector<CheckItem>>(
        std::vector<CheckItem>{CheckItem{code, {}, 1, {}}});
    // A code seen by the scanner or in an image is checked ahead of its sale (scan-ahead).
    const CheckOutcome outcome = check_and_wait(checker_, items, {}, CheckUse::ahead);
    ScanVerdict verdict;
    verdict.source = std::string(check_source_name(outcome.source));
    if (outcome.source == CheckSource::none || outcome.items.size() != 1) {
        verdict.detail = "module is " +
                         std::string(protocol::lm_status_name(outcome.module_status)) +
                         " and no online answer: " + outcome.online_failure;
        return verdict;
    }
    const ItemVerdict& checked = outcome.items.front();
    verdict.decision = checked.decision;
    verdict.kind = checked.decision.allowed ? ScanVerdictKind::allowed : ScanVerdictKind::blocked;
    verdict.sold = outcome.source == CheckSource::offline || outcome.source == CheckSource::lm
                       ? checked.offline.sold
                       : checked.decision.has(protocol::ReasonId::sold);
    for (const protocol::Reason* reason : checked.decision.reasons()) {
        if (!verdict.detail.empty()) verdict.detail += ",";
        verdict.detail += reason->code;
    }
    return verdict;
}

}  // namespace piotd::daemon
