// What a scan is checked against before the cashier sells it. Today: the offline black lists
// (OfflineScanChecker). The permissive-mode chain (online check with fallback to the lists) will
// implement the same interface, so the scanner and image paths need not change when it lands.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/marking_code.hpp"

namespace piotd::daemon {

enum class ScanVerdictKind : std::uint8_t {
    allowed,      // on no list
    blocked,      // on a black list (cis, gtin or series)
    unavailable,  // could not be checked (module not ready, storage error)
};

struct ScanVerdict {
    ScanVerdictKind kind = ScanVerdictKind::unavailable;
    std::string source = "offline";  // which check answered
    bool sold = false;
    std::optional<std::uint32_t> min_price;  // kopecks
    std::string detail;                      // why blocked / unavailable
};

std::string_view scan_verdict_name(ScanVerdictKind kind);

class ScanChecker {
public:
    virtual ~ScanChecker() = default;
    // Called from the scanner's thread and from image workers concurrently: must be thread-safe.
    virtual ScanVerdict check(const protocol::MarkingCode& code) = 0;
};

}  // namespace piotd::daemon
