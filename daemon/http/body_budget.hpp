// One memory budget for every request body being read at once, across all listeners (issue 22
// item 3): a body's declared length (a chunked body: its route's limit) is reserved when its
// head is in, before a byte of it is read, and given back when the request is done. A request
// that does not fit gets 503 and Retry-After instead of making piotd hold its bytes; without it
// 64 authenticated 8 MiB uploads on their way held 386 MB.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <utility>

namespace piotd::daemon {

class BodyBudget {
public:
    static constexpr std::size_t kDefaultBytes = 64u << 20;

    // The process's one budget, which every listener's ServerLimits points to unless told
    // otherwise: the ТС ПИоТ listener, the TLS front's backend and the main listener together.
    static BodyBudget& process();

    explicit BodyBudget(std::size_t bytes) : limit_(bytes) {}
    BodyBudget(const BodyBudget&) = delete;
    BodyBudget& operator=(const BodyBudget&) = delete;

    // Bytes held from the budget; returned when destroyed.
    class Reservation {
    public:
        Reservation() = default;
        Reservation(Reservation&& other) noexcept
            : budget_(std::exchange(other.budget_, nullptr)), bytes_(other.bytes_) {}
        Reservation& operator=(Reservation&& other) noexcept {
            if (this != &other) {
                release();
                budget_ = std::exchange(other.budget_, nullptr);
                bytes_ = other.bytes_;
            }
            return *this;
        }
        ~Reservation() { release(); }
        void release() {
            if (budget_ != nullptr) budget_->used_.fetch_sub(bytes_, std::memory_order_relaxed);
            budget_ = nullptr;
        }

    private:
        friend class BodyBudget;
        Reservation(BodyBudget* budget, std::size_t bytes) : budget_(budget), bytes_(bytes) {}
        BodyBudget* budget_ = nullptr;
        std::size_t bytes_ = 0;
    };

    // None when `bytes` more would pass the limit.
    std::optional<Reservation> reserve(std::size_t bytes) {
        const std::size_t limit = this->limit();
        std::size_t used = used_.load(std::memory_order_relaxed);
        do {
            if (bytes > limit || used > limit - bytes) return std::nullopt;
        } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
        return Reservation(this, bytes);
    }
    std::size_t used() const { return used_.load(std::memory_order_relaxed); }
    std::size_t limit() const { return limit_.load(std::memory_order_relaxed); }
    // Set from the config before the listeners start ([server] body_budget_mb).
    void set_limit(std::size_t bytes) { limit_.store(bytes, std::memory_order_relaxed); }

private:
    std::atomic<std::size_t> limit_;
    std::atomic<std::size_t> used_{0};
};

}  // namespace piotd::daemon
