// The offline check of a scan: the local black lists, exactly as /api/v1/cis/check answers it.
#pragma once

#include "daemon/local_module.hpp"
#include "daemon/scanner/scan_checker.hpp"

namespace piotd::daemon {

class OfflineScanChecker : public ScanChecker {
public:
    explicit OfflineScanChecker(const LocalModule& module) : module_(module) {}
    ScanVerdict check(const protocol::MarkingCode& code) override;

private:
    const LocalModule& module_;
};

}  // namespace piotd::daemon
