#include "daemon/permissive/verdict_cache.hpp"

namespace piotd::daemon {

VerdictCache::VerdictCache(std::chrono::milliseconds window, std::size_t max_entries)
    : window_(window), max_entries_(max_entries == 0 ? 1 : max_entries) {}

void VerdictCache::put(std::string_view ki, AheadVerdict verdict, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(std::string(ki));
    if (it != entries_.end()) {
        it->second = Entry{std::move(verdict), now};
        return;
    }
    if (entries_.size() >= max_entries_) evict_oldest();
    entries_.emplace(std::string(ki), Entry{std::move(verdict), now});
}

// The oldest (the first to expire). A linear pass, paid only when the cache is full (a
// till scans a few codes a minute; max_entries bounds a flood).
void VerdictCache::evict_oldest() {
    auto oldest = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->second.at < oldest->second.at) oldest = it;
    }
    if (oldest != entries_.end()) entries_.erase(oldest);
}

std::optional<std::vector<AheadVerdict>> VerdictCache::take_all(
    std::span<const std::string_view> kis, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (entries_.empty() || kis.empty()) return std::nullopt;
    std::vector<decltype(entries_)::iterator> found;
    found.reserve(kis.size());
    for (const std::string_view ki : kis) {
        auto it = entries_.find(std::string(ki));
        if (it == entries_.end()) return std::nullopt;
        if (now - it->second.at > window_) {
            entries_.erase(it);
            return std::nullopt;
        }
        for (const auto& seen : found) {
            if (seen == it) return std::nullopt;  // one code twice: one verdict covers one
        }
        found.push_back(it);
    }
    std::vector<AheadVerdict> out;
    out.reserve(found.size());
    for (auto& it : found) {
        out.push_back(std::move(it->second.verdict));
        entries_.erase(it);
    }
    return out;
}

std::size_t VerdictCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace piotd::daemon
