// Decides whether a marked item may be sold before it goes to the register, and gives the tag
// 1260 bytes for its position. Implemented for now by the offline LM path
// (offline_marked_item_checker.hpp); the permissive-mode chain (online check, then LM) plugs in
// here. Called on the register's worker thread, so it may block (network).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace piotd::daemon {

struct MarkedItemVerdict {
    bool allowed = false;
    std::string code;  // the normalised code (GS-separated) to send to the register
    std::string ki;    // the identification code, for the sold set
    // Why not, for the cashier: a short name and texts.
    std::string reason;  // e.g. "blocked", "sold", "invalid_code", "not_ready"
    std::string message_ru;
    std::string message_en;
    // Whole TLV of tag 1260 (1262 030, 1263, 1264, 1265 UUID=…&Time=…); empty: none.
    std::vector<std::uint8_t> tag1260;
    std::string tag1265;  // the 1265 value inside it, for the answer and logs
};

class MarkedItemChecker {
public:
    virtual ~MarkedItemChecker() = default;
    virtual MarkedItemVerdict check(std::string_view code) = 0;
};

}  // namespace piotd::daemon
