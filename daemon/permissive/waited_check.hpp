// The check chain for device threads that may block (the register's worker, the scanner's thread,
// the image workers): PermissiveChecker::check() with its completion on the True API client's own
// thread, waited for here. Never call it on an HTTP I/O thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "daemon/permissive/permissive_checker.hpp"

namespace piotd::daemon {

// The outcome of checking `items`. The chain completes by its budget; should the completion not
// come within the budget and a margin (the client stopping), the outcome is "cannot check"
// (source none). The outcome's offline answers view into `items`: keep them alive while it is used.
CheckOutcome check_and_wait(PermissiveChecker& checker,
                            const std::shared_ptr<const std::vector<CheckItem>>& items,
                            std::string fiscal_drive, CheckUse use = CheckUse::sale);

}  // namespace piotd::daemon
