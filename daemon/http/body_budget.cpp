#include "daemon/http/body_budget.hpp"

namespace piotd::daemon {

BodyBudget& BodyBudget::process() {
    static BodyBudget budget(kDefaultBytes);
    return budget;
}

}  // namespace piotd::daemon
