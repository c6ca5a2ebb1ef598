#include "daemon/checks/recent_checks.hpp"

#include <algorithm>

namespace piotd::daemon {

RecentChecksRing::RecentChecksRing(std::size_t capacity) {
    for (Slot& slot : slots_) slot.ring.resize(std::max<std::size_t>(capacity, 1));
}

void RecentChecksRing::on_checks(std::span<const CheckEvent> events) noexcept {
    Slot& slot = slots_[cpu_slot()];
    // Only the last `capacity` events of a large batch can stay; skip the rest without copying.
    if (events.size() > slot.ring.size()) events = events.last(slot.ring.size());
    std::lock_guard lock(slot.mutex);
    for (const CheckEvent& event : events) {
        Entry& entry = slot.ring[slot.next];
        CheckRecord& record = entry.record;
        record.time_ms = event.time_ms;
        record.source.assign(event.source);
        record.code.assign(event.code.substr(0, kMaxCodeBytes));
        record.verdict = event.verdict;
        record.duration_ns = event.duration_ns;
        entry.sequence = ++slot.sequence;
        if (++slot.next == slot.ring.size()) slot.next = 0;
        slot.size = std::min(slot.size + 1, slot.ring.size());
    }
}

std::vector<CheckRecord> RecentChecksRing::recent_checks(std::size_t limit) const {
    std::vector<Entry> entries;
    for (const Slot& slot : slots_) {
        std::lock_guard lock(slot.mutex);
        const std::size_t n = std::min(limit, slot.size);
        for (std::size_t i = 0; i < n; ++i) {
            entries.push_back(slot.ring[(slot.next + slot.ring.size() - 1 - i) % slot.ring.size()]);
        }
    }
    // Newest first by check time; within a slot, by the order they were recorded (a batch shares
    // one millisecond). Equal times in different slots have no order to keep.
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        if (a.record.time_ms != b.record.time_ms) return a.record.time_ms > b.record.time_ms;
        return a.sequence > b.sequence;
    });
    if (entries.size() > limit) entries.resize(limit);
    std::vector<CheckRecord> out;
    out.reserve(entries.size());
    for (Entry& entry : entries) out.push_back(std::move(entry.record));
    return out;
}

}  // namespace piotd::daemon
