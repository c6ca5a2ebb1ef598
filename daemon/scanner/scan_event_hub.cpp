#include "daemon/scanner/scan_event_hub.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace piotd::daemon {

namespace {

struct Subscriber {
    std::deque<std::shared_ptr<const std::string>> queue;
    std::function<void()> ready;
    bool greeted = false;
    bool overflowed = false;
    bool keepalive_due = false;

    bool has_news(bool closed) const {
        return !greeted || !queue.empty() || overflowed || keepalive_due || closed;
    }
};

}  // namespace

struct ScanEventHub::State {
    explicit State(std::size_t limit) : queue_limit(limit) {}

    // Wakes the subscribers that have a callback waiting; called without the lock held.
    static void wake(std::vector<std::function<void()>>& callbacks) {
        for (auto& callback : callbacks) callback();
    }

    std::size_t queue_limit;
    mutable std::mutex mutex;
    std::vector<std::shared_ptr<Subscriber>> subscribers;
    std::uint64_t next_id = 1;
    std::uint64_t dropped = 0;
    bool closed = false;
};

class ScanEventHub::Stream : public ChunkSource {
public:
    Stream(std::shared_ptr<State> state, std::shared_ptr<Subscriber> subscriber)
        : state_(std::move(state)), subscriber_(std::move(subscriber)) {}

    ~Stream() override {
        std::lock_guard lock(state_->mutex);
        auto& list = state_->subscribers;
        list.erase(std::remove(list.begin(), list.end(), subscriber_), list.end());
    }

    bool next(std::string& out, std::size_t budget) override {
        std::lock_guard lock(state_->mutex);
        Subscriber& s = *subscriber_;
        if (s.overflowed) throw std::runtime_error("event stream client too slow; dropped");
        if (!s.greeted) {
            // retry: how long a browser EventSource waits before reconnecting.
            out += "retry: 2000\n: piotd scanner events\n\n";
            s.greeted = true;
        }
        while (!s.queue.empty() && out.size() < budget) {
            out += *s.queue.front();
            s.queue.pop_front();
        }
        if (s.keepalive_due && out.empty()) out += ": keep-alive\n\n";
        s.keepalive_due = false;
        return !(state_->closed && s.queue.empty());
    }

    void on_ready(std::function<void()> ready) override {
        {
            std::lock_guard lock(state_->mutex);
            if (!subscriber_->has_news(state_->closed)) {
                subscriber_->ready = std::move(ready);
                return;
            }
        }
        ready();
    }

private:
    std::shared_ptr<State> state_;
    std::shared_ptr<Subscriber> subscriber_;
};

ScanEventHub::ScanEventHub(std::size_t queue_limit)
    : state_(std::make_shared<State>(std::max<std::size_t>(queue_limit, 1))) {}

ScanEventHub::~ScanEventHub() {
    close();
}

std::unique_ptr<ChunkSource> ScanEventHub::subscribe() {
    auto subscriber = std::make_shared<Subscriber>();
    std::lock_guard lock(state_->mutex);
    state_->subscribers.push_back(subscriber);
    return std::make_unique<Stream>(state_, std::move(subscriber));
}

void ScanEventHub::publish(std::string_view name, std::string_view json) {
    std::vector<std::function<void()>> callbacks;
    {
        std::lock_guard lock(state_->mutex);
        if (state_->closed) return;
        std::string text;
        text.reserve(json.size() + name.size() + 40);
        text += "event: ";
        text += name;
        text += "\nid: ";
        text += std::to_string(state_->next_id++);
        text += "\ndata: ";
        text += json;
        text += "\n\n";
        const auto shared = std::make_shared<const std::string>(std::move(text));
        for (const auto& s : state_->subscribers) {
            if (s->overflowed) continue;
            if (s->queue.size() >= state_->queue_limit) {
                s->overflowed = true;
                s->queue.clear();
                ++state_->dropped;
            } else {
                s->queue.push_back(shared);
            }
            if (s->ready) callbacks.push_back(std::exchange(s->ready, nullptr));
        }
    }
    State::wake(callbacks);
}

void ScanEventHub::keep_alive() {
    std::vector<std::function<void()>> callbacks;
    {
        std::lock_guard lock(state_->mutex);
        for (const auto& s : state_->subscribers) {
            s->keepalive_due = true;
            if (s->ready) callbacks.push_back(std::exchange(s->ready, nullptr));
        }
    }
    State::wake(callbacks);
}

void ScanEventHub::close() {
    std::vector<std::function<void()>> callbacks;
    {
        std::lock_guard lock(state_->mutex);
        state_->closed = true;
        for (const auto& s : state_->subscribers) {
            if (s->ready) callbacks.push_back(std::exchange(s->ready, nullptr));
        }
    }
    State::wake(callbacks);
}

std::size_t ScanEventHub::clients() const {
    std::lock_guard lock(state_->mutex);
    return state_->subscribers.size();
}

std::uint64_t ScanEventHub::dropped_clients() const {
    std::lock_guard lock(state_->mutex);
    return state_->dropped;
}

std::uint64_t ScanEventHub::published() const {
    std::lock_guard lock(state_->mutex);
    return state_->next_id - 1;
}

}  // namespace piotd::daemon
