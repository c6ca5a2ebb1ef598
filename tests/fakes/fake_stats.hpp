// Request counters of the fake upstream, read by GET /control/stats.
#pragma once

#include <atomic>
#include <cstdint>

namespace piotd::fakes {

struct FakeStats {
    std::atomic<std::uint64_t> state{0};
    std::atomic<std::uint64_t> snapshot{0};
    std::atomic<std::uint64_t> changes{0};
    std::atomic<std::uint64_t> control{0};
    std::atomic<std::uint64_t> other{0};
    std::atomic<std::uint64_t> unauthorized{0};
    std::atomic<std::uint64_t> faulted{0};
    std::atomic<std::uint64_t> snapshots_resumed{0};    // snapshot requests with after=
    std::atomic<std::uint64_t> snapshots_completed{0};  // streams that reached their trailer
    std::atomic<std::uint64_t> items_streamed{0};       // snapshot items sent
    std::atomic<std::int64_t> active_streams{0};
    std::atomic<std::uint64_t> connections{0};

    void reset() {
        for (auto* counter :
             {&state, &snapshot, &changes, &control, &other, &unauthorized, &faulted,
              &snapshots_resumed, &snapshots_completed, &items_streamed, &connections}) {
            counter->store(0);
        }
    }
};

}  // namespace piotd::fakes
