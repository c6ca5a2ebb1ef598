#include "daemon/permissive/waited_check.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>

namespace piotd::daemon {

namespace {

// Shared with the completion, which may come after the waiter gave up.
struct Waiter {
    std::mutex mutex;
    std::condition_variable done;
    std::optional<CheckOutcome> outcome;
};

// Beyond the budget: the local lookup and a thread hand-off, on a loaded till.
constexpr std::chrono::milliseconds kMargin{2000};

}  // namespace

CheckOutcome check_and_wait(PermissiveChecker& checker,
                            const std::shared_ptr<const std::vector<CheckItem>>& items,
                            std::string fiscal_drive, CheckUse use) {
    auto waiter = std::make_shared<Waiter>();
    // A null executor: the completion runs on the client's own thread, not on this one.
    checker.check(
        boost::asio::any_io_executor{}, items, std::move(fiscal_drive),
        [waiter](const CheckOutcome& outcome) {
            std::lock_guard lock(waiter->mutex);
            waiter->outcome = outcome;
            waiter->done.notify_all();
        },
        {}, use);
    std::unique_lock lock(waiter->mutex);
    if (!waiter->done.wait_for(lock, checker.answer_bound() + kMargin,
                               [&] { return waiter->outcome.has_value(); })) {
        CheckOutcome none;
        none.online_failure = "the check did not complete";
        none.module_status = checker.module().status();
        return none;
    }
    return std::move(*waiter->outcome);
}

}  // namespace piotd::daemon
