// The connections of one I/O thread that wait for the first byte of their next request, oldest
// first (issue 22 item 5). At the connection limit a new client evicts the one idle longest
// instead of being refused, so 2,048 connections that only sit there cannot lock the POS out:
// an idle keep-alive client loses nothing but its connection, which it reopens. Each list says
// when its oldest member went idle, so the server picks the oldest of all its threads.
//
// An intrusive list: entering and leaving (every request of a keep-alive connection does both)
// are a few pointer moves, no allocation. Used on its I/O thread only; size() may be read from
// any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace piotd::daemon {

class IdleConnections {
public:
    class Member {
    public:
        Member() = default;
        Member(const Member&) = delete;
        Member& operator=(const Member&) = delete;
        bool idle() const { return list_ != nullptr; }
        void leave_idle();

    protected:
        ~Member() { leave_idle(); }

    private:
        friend class IdleConnections;
        // Ends the connection (its pending read completes with an error). Called on its thread
        // after it has left the list.
        virtual void evict() = 0;
        IdleConnections* list_ = nullptr;
        Member* prev_ = nullptr;
        Member* next_ = nullptr;
        std::int64_t since_ = 0;
    };
    static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();

    IdleConnections() = default;
    IdleConnections(const IdleConnections&) = delete;
    IdleConnections& operator=(const IdleConnections&) = delete;

    // Puts `member` at the end (the newest); a member already idle stays where it is. `since`
    // orders members of all lists: any clock reading no earlier than the previous enter's.
    void enter(Member& member, std::int64_t since);
    // Evicts the member idle the longest; false when there is none.
    bool evict_oldest();
    std::size_t size() const { return size_.load(std::memory_order_relaxed); }
    // `since` of the oldest member; kNone when empty. May be read from any thread.
    std::int64_t oldest_since() const { return oldest_since_.load(std::memory_order_relaxed); }

private:
    Member* oldest_ = nullptr;
    Member* newest_ = nullptr;
    std::atomic<std::size_t> size_{0};
    std::atomic<std::int64_t> oldest_since_{kNone};
};

}  // namespace piotd::daemon
