// Replication lag of each list over the last day, one sample a minute, for the status page's
// sparklines: a fixed ring per list (1440 samples), so memory is bounded whatever the uptime.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "storage/list_name.hpp"

namespace piotd::daemon {

struct LagSample {
    std::int64_t time_ms = 0;
    std::optional<std::int64_t> lag_ms;  // none: never synced at that time
};

class LagHistory {
public:
    explicit LagHistory(std::size_t capacity = 24 * 60, std::int64_t interval_ms = 60'000);

    // Records one sample per list when `interval_ms` has passed since the last one (called every
    // second from the main loop; cheap otherwise). `lag` has one entry per storage::kAllLists.
    void maybe_sample(
        std::int64_t now_ms,
        const std::array<std::optional<std::int64_t>, storage::kAllLists.size()>& lag);
    // Oldest first.
    std::vector<LagSample> samples(storage::ListName list) const;

private:
    std::size_t capacity_;
    std::int64_t interval_ms_;
    mutable std::mutex mutex_;
    std::int64_t last_ms_ = 0;
    std::array<std::vector<LagSample>, storage::kAllLists.size()> rings_;
    std::size_t next_ = 0;
    std::size_t size_ = 0;
};

}  // namespace piotd::daemon
