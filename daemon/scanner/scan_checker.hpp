// What a scan is checked against before the cashier sells it: the permissive-mode chain (online
// True API check, else the local lists; chain_scan_checker.hpp). Without a price the price rules
// cannot refuse; the decision reports the limits instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/codes/marking_code.hpp"
#include "protocol/decision/sale_decision.hpp"

namespace piotd::daemon {

enum class ScanVerdictKind : std::uint8_t {
    allowed,      // the decision rules allow the sale
    blocked,      // a rule refuses it (blocked, sold, not found, expired, …)
    unavailable,  // could not be checked (no True API answer and the module not ready)
};

struct ScanVerdict {
    ScanVerdictKind kind = ScanVerdictKind::unavailable;
    std::string source = "none";  // which check answered: online | offline | none
    bool sold = false;
    protocol::SaleDecision decision;  // the rules' verdict, when not unavailable
    std::string detail;               // the reason codes (comma-separated), or why unavailable
};

std::string_view scan_verdict_name(ScanVerdictKind kind);

class ScanChecker {
public:
    virtual ~ScanChecker() = default;
    // Called from the scanner's thread and from image workers concurrently: must be thread-safe.
    virtual ScanVerdict check(const protocol::MarkingCode& code) = 0;
};

}  // namespace piotd::daemon
