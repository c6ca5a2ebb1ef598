#include "daemon/http/idle_connections.hpp"

namespace piotd::daemon {

void IdleConnections::Member::leave_idle() {
    IdleConnections* list = list_;
    if (list == nullptr) return;
    if (prev_ == nullptr) {
        list->oldest_since_.store(next_ != nullptr ? next_->since_ : kNone,
                                  std::memory_order_relaxed);
    }
    (prev_ != nullptr ? prev_->next_ : list->oldest_) = next_;
    (next_ != nullptr ? next_->prev_ : list->newest_) = prev_;
    prev_ = next_ = nullptr;
    list_ = nullptr;
    list->size_.store(list->size_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
}

void IdleConnections::enter(Member& member, std::int64_t since) {
    if (member.list_ != nullptr) return;
    if (oldest_ == nullptr) oldest_since_.store(since, std::memory_order_relaxed);
    member.since_ = since;
    member.list_ = this;
    member.prev_ = newest_;
    member.next_ = nullptr;
    (newest_ != nullptr ? newest_->next_ : oldest_) = &member;
    newest_ = &member;
    size_.store(size_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

bool IdleConnections::evict_oldest() {
    Member* oldest = oldest_;
    if (oldest == nullptr) return false;
    oldest->leave_idle();
    oldest->evict();
    return true;
}

}  // namespace piotd::daemon
