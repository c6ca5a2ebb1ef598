// The last checks, newest first, for the status page. RecentChecksRing keeps them in memory until
// the check journal (permissive mode) is merged and provides them instead through the same
// RecentChecksProvider interface.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "daemon/checks/check_event.hpp"
#include "daemon/cpu_slot.hpp"

namespace piotd::daemon {

struct CheckRecord {
    std::int64_t time_ms = 0;
    std::string source;
    std::string code;  // hostile text: escape before showing it anywhere
    CheckVerdict verdict = CheckVerdict::not_blocked;
    std::uint64_t duration_ns = 0;
};

class RecentChecksProvider {
public:
    virtual ~RecentChecksProvider() = default;
    virtual std::vector<CheckRecord> recent_checks(std::size_t limit) const = 0;
};

// A bounded ring: memory is fixed however many codes are checked. Codes are cut to 128 bytes.
// Every I/O thread records each check here, so there is one ring per CPU slot (cpu_slot.hpp),
// each with its own lock: cores do not take turns on one lock and one cache line per check. The
// newest `capacity` overall are always among the rings' newest `capacity` each; reading merges.
class RecentChecksRing : public RecentChecksProvider, public CheckObserver {
public:
    explicit RecentChecksRing(std::size_t capacity = 50);

    void on_checks(std::span<const CheckEvent> events) noexcept override;
    std::vector<CheckRecord> recent_checks(std::size_t limit) const override;

    static constexpr std::size_t kMaxCodeBytes = 128;

private:
    struct Entry {
        CheckRecord record;
        std::uint64_t sequence = 0;  // orders a slot's entries of the same millisecond
    };
    struct alignas(64) Slot {
        mutable std::mutex mutex;
        std::vector<Entry> ring;
        std::size_t next = 0;
        std::size_t size = 0;
        std::uint64_t sequence = 0;
    };

    std::array<Slot, kCpuSlots> slots_;
};

}  // namespace piotd::daemon
