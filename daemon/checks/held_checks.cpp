#include "daemon/checks/held_checks.hpp"

#include <string>
#include <vector>

namespace piotd::daemon {

namespace {

// A CheckEvent without its code, which is kept in HeldChecks::codes (at an offset: the string
// may move as it grows).
struct HeldEvent {
    CheckEvent event;
    std::size_t code_offset = 0;
    std::size_t code_size = 0;
};

struct HeldChecks {
    CheckObserver* observer = nullptr;
    std::string codes;  // every held code, back to back
    std::vector<HeldEvent> held;
    std::vector<CheckEvent> delivered;  // the events with their codes, built at delivery
};

// More than the largest POST (max_codes_per_request) and more than one request needs.
constexpr std::size_t kMaxHeld = 16 * 1024;

thread_local HeldChecks this_thread;

}  // namespace

void hold_check(CheckObserver& observer, const CheckEvent& event) {
    HeldChecks& h = this_thread;
    if (h.observer != &observer || h.held.size() >= kMaxHeld) {
        deliver_held_checks();
        h.observer = &observer;
    }
    // In this order, so that a failed allocation leaves nothing half held: room to deliver
    // (delivery, after the answer and noexcept, never allocates), the code, then the event.
    if (h.delivered.capacity() <= h.held.size()) h.delivered.reserve(2 * h.held.size() + 1);
    const std::size_t offset = h.codes.size();
    h.codes.append(event.code);
    h.held.push_back({event, offset, event.code.size()});
    h.held.back().event.code = {};
}

void deliver_held_checks() noexcept {
    HeldChecks& h = this_thread;
    if (h.observer == nullptr) return;
    h.delivered.clear();
    for (const HeldEvent& held : h.held) {
        h.delivered.push_back(held.event);
        h.delivered.back().code = {h.codes.data() + held.code_offset, held.code_size};
    }
    CheckObserver* observer = h.observer;
    h.observer = nullptr;
    observer->on_checks(h.delivered);
    h.held.clear();
    h.codes.clear();
}

}  // namespace piotd::daemon
