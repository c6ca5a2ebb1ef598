// The bound on snapshot streams a store serves at once ([replication] max_snapshot_streams,
// docs/replication.md). Each stream holds an LMDB read transaction (the pages it sees cannot be
// reused while it lasts), a piece or two of memory, and a share of the socket writes on the I/O
// threads; past the bound a till gets 503 with Retry-After and comes back later.
//
// Retry-After is an estimate of when the first slot frees: each stream reports how far it is
// (items sent of the list's docCount), and the stream nearest its end, at its rate so far, says
// how long until it ends. A fleet told "1 s" comes back in a second; one told "20 s" does not
// poll in vain meanwhile.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace piotd::daemon {

class StreamSlots {
    struct Registry;

public:
    // One stream's place: held as long as the stream is served, freed with the last reference.
    class Slot {
    public:
        Slot(std::shared_ptr<Registry> registry, std::chrono::steady_clock::time_point started);
        ~Slot();
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        // `done` of `total` items sent (total 0: unknown).
        void progress(std::uint64_t done, std::uint64_t total);
        // The same as a fraction, 0..1.
        void progress(double fraction);

    private:
        friend class StreamSlots;
        std::shared_ptr<Registry> registry_;
        std::chrono::steady_clock::time_point started_;
        std::atomic<double> fraction_{0};
    };

    explicit StreamSlots(std::size_t limit);

    // A slot, or null when `limit` streams are being served.
    std::shared_ptr<Slot> try_acquire(
        std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
    // Whole seconds until a slot is likely to free, 1 to 60.
    std::chrono::seconds retry_after(
        std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) const;
    std::size_t active() const;
    std::size_t limit() const { return limit_; }

private:
    struct Registry {
        std::mutex mutex;
        std::vector<Slot*> slots;
    };
    std::size_t limit_;
    std::shared_ptr<Registry> registry_ = std::make_shared<Registry>();
};

}  // namespace piotd::daemon
