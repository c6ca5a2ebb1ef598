// MarkedItemChecker on the permissive-mode check chain (docs/permissive-mode.md): the online True
// API check within the budget, else the local lists, else "cannot check"; the receipt's codes
// go in one check (one True API request, one budget). The receipt line's price
// and quantity go to the decision rules; the register's FN number is the fiscalDriveNumber. An
// allowed item gets tag 1260 with 1265 in the form of the check that answered (online
// UUID=…&Time=…, offline …&Inst=…&Ver=…). Every check is journaled by the chain.
#pragma once

#include "daemon/kkt/marked_item_checker.hpp"
#include "daemon/permissive/permissive_checker.hpp"

namespace piotd::daemon {

class ChainMarkedItemChecker : public MarkedItemChecker {
public:
    explicit ChainMarkedItemChecker(PermissiveChecker& checker) : checker_(checker) {}
    std::vector<MarkedItemVerdict> check(const std::vector<const protocol::ReceiptItem*>& items,
                                         const std::string& fiscal_drive) override;

private:
    PermissiveChecker& checker_;
};

}  // namespace piotd::daemon
