#include "daemon/replication/stream_slots.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace piotd::daemon {

namespace {

// A stream that has sent less than this is too young for its rate to say anything.
constexpr double kMeasurable = 0.01;
// When no stream is measurable yet: they have all just started.
constexpr double kUnknownSeconds = 2;
constexpr double kMaxSeconds = 60;

}  // namespace

StreamSlots::Slot::Slot(std::shared_ptr<Registry> registry,
                        std::chrono::steady_clock::time_point started)
    : registry_(std::move(registry)), started_(started) {}

StreamSlots::Slot::~Slot() {
    std::lock_guard lock(registry_->mutex);
    std::erase(registry_->slots, this);
}

void StreamSlots::Slot::progress(std::uint64_t done, std::uint64_t total) {
    if (total == 0) return;
    progress(static_cast<double>(done) / static_cast<double>(total));
}

void StreamSlots::Slot::progress(double fraction) {
    fraction_.store(std::clamp(fraction, 0.0, 1.0), std::memory_order_relaxed);
}

StreamSlots::StreamSlots(std::size_t limit) : limit_(std::max<std::size_t>(limit, 1)) {}

std::shared_ptr<StreamSlots::Slot> StreamSlots::try_acquire(
    std::chrono::steady_clock::time_point now) {
    auto slot = std::make_shared<Slot>(registry_, now);
    std::lock_guard lock(registry_->mutex);
    if (registry_->slots.size() >= limit_) return nullptr;  // the slot's destructor finds nothing
    registry_->slots.push_back(slot.get());
    return slot;
}

std::chrono::seconds StreamSlots::retry_after(std::chrono::steady_clock::time_point now) const {
    double soonest = std::numeric_limits<double>::infinity();
    {
        std::lock_guard lock(registry_->mutex);
        for (const Slot* slot : registry_->slots) {
            const double done = slot->fraction_.load(std::memory_order_relaxed);
            if (done < kMeasurable) continue;
            const double elapsed = std::chrono::duration<double>(now - slot->started_).count();
            soonest = std::min(soonest, elapsed * (1 - done) / done);
        }
    }
    if (std::isinf(soonest)) soonest = kUnknownSeconds;
    return std::chrono::seconds(
        static_cast<long>(std::clamp(std::ceil(soonest), 1.0, kMaxSeconds)));
}

std::size_t StreamSlots::active() const {
    std::lock_guard lock(registry_->mutex);
    return registry_->slots.size();
}

}  // namespace piotd::daemon
