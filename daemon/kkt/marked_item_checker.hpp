// Decides whether a marked item may be sold before it goes to the register, and gives the tag
// 1260 bytes for its position. Implemented by the permissive-mode chain (online check, then the
// local lists: chain_marked_item_checker.hpp). Called on the register's worker thread, so it may
// block (network, within the online budget).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/kkt/kkt_receipt_request.hpp"

namespace piotd::daemon {

struct MarkedItemVerdict {
    bool allowed = false;
    std::string code;  // the normalised code (GS-separated) to send to the register
    std::string ki;    // the identification code, for the sold set
    // Why not, for the cashier: a short name and texts.
    // e.g. "blocked", "sold" (the first refusing reason of the decision rules), "invalid_code",
    // "cannot_check" (neither the True API nor the local lists could answer)
    std::string reason;
    std::string message_ru;
    std::string message_en;
    // Whole TLV of tag 1260 (1262 030, 1263, 1264, 1265 UUID=…&Time=…); empty: none.
    std::vector<std::uint8_t> tag1260;
    std::string tag1265;  // the 1265 value inside it, for the answer and logs
    std::string source;   // online | offline | none: which check answered
};

class MarkedItemChecker {
public:
    virtual ~MarkedItemChecker() = default;
    // One verdict per item, in order; every item has a code, its price and quantity go to the
    // price rules. The items of one receipt are checked together (one True API request, one
    // budget for the whole receipt). `fiscal_drive`: the register's FN number (empty until it
    // answered once).
    virtual std::vector<MarkedItemVerdict> check(
        const std::vector<const protocol::ReceiptItem*>& items,
        const std::string& fiscal_drive) = 0;
};

}  // namespace piotd::daemon
