// ScanChecker on the permissive-mode check chain (docs/permissive-mode.md): the scanned code goes
// online to the True API within the budget, else to the local lists. No price is known at scan
// time, so the price rules report limits instead of refusing. Every check is journaled.
#pragma once

#include "daemon/permissive/permissive_checker.hpp"
#include "daemon/scanner/scan_checker.hpp"

namespace piotd::daemon {

class ChainScanChecker : public ScanChecker {
public:
    explicit ChainScanChecker(PermissiveChecker& checker) : checker_(checker) {}
    // Blocks the calling thread (the scanner's, an image worker) up to the online budget.
    ScanVerdict check(const protocol::MarkingCode& code) override;

private:
    PermissiveChecker& checker_;
};

}  // namespace piotd::daemon
