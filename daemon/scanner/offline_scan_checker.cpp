#include "daemon/scanner/offline_scan_checker.hpp"

#include "storage/storage_error.hpp"

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

ScanVerdict OfflineScanChecker::check(const protocol::MarkingCode& code) {
    ScanVerdict verdict;
    const protocol::LmStatus status = module_.status();
    if (status != protocol::LmStatus::ready) {
        verdict.detail = "module is " + std::string(protocol::lm_status_name(status));
        return verdict;
    }
    try {
        const storage::CodeStatus found = module_.lists().lookup(code);
        verdict.kind = found.blocked() ? ScanVerdictKind::blocked : ScanVerdictKind::allowed;
        verdict.sold = found.sold;
        verdict.min_price = found.min_price;
        if (found.cis_blocked) {
            verdict.detail = "blocked_cis";
        } else if (found.gtin_blocked) {
            verdict.detail = "blocked_gtin";
        } else if (found.series_blocked) {
            verdict.detail = "blocked_series";
        }
    } catch (const storage::StorageError& e) {
        verdict.kind = ScanVerdictKind::unavailable;
        verdict.detail = "local database is unavailable";
    }
    return verdict;
}

}  // namespace piotd::daemon
