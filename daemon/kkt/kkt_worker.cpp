#include "daemon/kkt/kkt_worker.hpp"

#include "daemon/log.hpp"

namespace piotd::daemon {

namespace {

constexpr auto kIdleRefresh = std::chrono::seconds(60);
constexpr auto kMinRetry = std::chrono::seconds(1);
constexpr auto kMaxRetry = std::chrono::seconds(30);

}  // namespace

KktWorker::KktWorker(std::unique_ptr<drivers::KktTransport> transport,
                     drivers::KktSessionOptions options, const Clock& clock)
    : transport_(std::move(transport)), session_(*transport_, options), clock_(clock) {
    state_.device = transport_->describe();
}

KktWorker::~KktWorker() {
    stop();
}

void KktWorker::start() {
    thread_ = std::thread([this] { run(); });
}

void KktWorker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::deque<Job> left;
    {
        std::lock_guard lock(mutex_);
        left.swap(jobs_);
    }
    for (Job& job : left) job(nullptr);
}

bool KktWorker::post(Job job) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || jobs_.size() >= kMaxQueued) return false;
        jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
}

KktState KktWorker::state() const {
    std::lock_guard lock(mutex_);
    return state_;
}

std::string KktWorker::fn_number() const {
    std::lock_guard lock(mutex_);
    return state_.fn_number;
}

void KktWorker::refresh(drivers::KktSession& session) {
    try {
        const auto fn = session.fn_status();
        const auto status = session.device_status();
        std::lock_guard lock(mutex_);
        if (!state_.connected) {
            log_info("kkt", state_.device + ": connected, FN " + fn.fn_number);
        }
        state_.connected = true;
        state_.fn_number = fn.fn_number;
        state_.fn = fn;
        state_.status = status;
        state_.receipt_open = status.mode_proper() == protocol::shtrih::kModeDocumentOpen;
        state_.last_contact_ms = clock_.now_ms();
        state_.link = session.link_stats();
        refreshed_at_ = std::chrono::steady_clock::now();
    } catch (const drivers::KktError& e) {
        note_error(e);
    }
}

void KktWorker::note_error(const drivers::KktError& error) {
    std::lock_guard lock(mutex_);
    const bool link_down = error.kind() == drivers::KktErrorKind::no_link ||
                           error.kind() == drivers::KktErrorKind::transport;
    if (link_down && state_.connected) log_warning("kkt", state_.device + ": " + error.what());
    if (link_down) state_.connected = false;
    state_.last_error_kind = drivers::kkt_error_kind_name(error.kind());
    state_.last_error = error.what();
    state_.last_error_code =
        error.kind() == drivers::KktErrorKind::register_error ? error.code() : -1;
    state_.last_error_ms = clock_.now_ms();
    state_.receipt_open = error.receipt_open();
    state_.link = session_.link_stats();
}

void KktWorker::note_receipt_open(bool open) {
    std::lock_guard lock(mutex_);
    state_.receipt_open = open;
    state_.link = session_.link_stats();
    state_.last_contact_ms = clock_.now_ms();
}

void KktWorker::note_attention(const std::string& message) {
    if (message.empty()) return;
    std::lock_guard lock(mutex_);
    state_.attention = message;
    state_.attention_ms = clock_.now_ms();
}

void KktWorker::run() {
    auto retry = kMinRetry;
    auto next_refresh = std::chrono::steady_clock::now();
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait_until(lock, next_refresh, [this] { return stopping_ || !jobs_.empty(); });
            if (stopping_) return;
            if (!jobs_.empty()) {
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
        }
        if (job) {
            const auto refreshed_before = refreshed_at_;
            try {
                job(&session_);
            } catch (const std::exception& e) {
                log_error("kkt", std::string("job failed: ") + e.what());
            }
            if (refreshed_at_ != refreshed_before) {
                retry = kMinRetry;
                next_refresh = refreshed_at_ + kIdleRefresh;
            }
            continue;
        }
        refresh(session_);
        const bool connected = state().connected;
        retry = connected ? kMinRetry : std::min(retry * 2, std::chrono::seconds(kMaxRetry));
        next_refresh =
            std::chrono::steady_clock::now() +
            (connected ? std::chrono::duration_cast<std::chrono::seconds>(kIdleRefresh) : retry);
    }
}

}  // namespace piotd::daemon
