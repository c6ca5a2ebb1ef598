// Request counters of the fake upstream, read by GET /control/stats.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

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
        std::lock_guard lock(times_mutex);
        snapshot_times_ms.clear();
    }

    // When snapshot requests arrived (ms on the fake's steady clock, the first 64), so a test
    // can tell how long a client waited between two without timing it from outside.
    void note_snapshot_request() {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
        std::lock_guard lock(times_mutex);
        if (snapshot_times_ms.size() < 64) snapshot_times_ms.push_back(ms);
    }
    std::string snapshot_times_json() {
        std::lock_guard lock(times_mutex);
        std::string out = "[";
        for (const auto ms : snapshot_times_ms) {
            if (out.size() > 1) out += ',';
            out += std::to_string(ms);
        }
        return out + "]";
    }

private:
    std::mutex times_mutex;
    std::vector<std::int64_t> snapshot_times_ms;
};

}  // namespace piotd::fakes
