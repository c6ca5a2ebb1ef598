// The fiscal register's own thread: every access to the register goes through its queue, one job
// at a time (serial I/O is slow, and the register executes one command at a time), so HTTP I/O
// threads never wait on it. While idle it keeps the status fresh and reconnects with backoff.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "daemon/clock.hpp"
#include "drivers/kkt/kkt_session.hpp"

namespace piotd::daemon {

// What GET /api/v1/kkt/status shows.
struct KktState {
    bool connected = false;
    std::string device;
    std::string fn_number;
    std::optional<protocol::shtrih::FnStatus> fn;
    std::optional<protocol::shtrih::DeviceStatus> status;
    bool receipt_open = false;
    std::int64_t last_contact_ms = 0;
    // The last failure (empty kind: none since start).
    std::string last_error_kind;
    std::string last_error;
    int last_error_code = -1;  // the register's ERR byte, -1 for link errors
    std::int64_t last_error_ms = 0;
    // What a technician must check (settle_held_sale): kept until piotd restarts, and in the log.
    std::string attention;
    std::int64_t attention_ms = 0;
    drivers::LinkStats link;
};

class KktWorker {
public:
    // Gets the session, or nullptr when the worker is stopping: then answer "unavailable".
    using Job = std::function<void(drivers::KktSession*)>;

    KktWorker(std::unique_ptr<drivers::KktTransport> transport, drivers::KktSessionOptions options,
              const Clock& clock);
    ~KktWorker();
    KktWorker(const KktWorker&) = delete;
    KktWorker& operator=(const KktWorker&) = delete;

    void start();
    // Jobs still queued are called with nullptr; the running one finishes first.
    void stop();
    // False (and the job is not run) when stopping or too many jobs wait.
    bool post(Job job);

    KktState state() const;
    // The FN number read at connection (empty until then): the X-ClientId / fiscalDriveNumber.
    std::string fn_number() const;

    // For jobs, on the worker thread: re-read FN and register status into state().
    void refresh(drivers::KktSession& session);
    void note_error(const drivers::KktError& error);
    void note_receipt_open(bool open);
    // Empty: nothing to note.
    void note_attention(const std::string& message);

    static constexpr std::size_t kMaxQueued = 32;

private:
    void run();

    std::unique_ptr<drivers::KktTransport> transport_;
    drivers::KktSession session_;
    const Clock& clock_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    bool stopping_ = false;
    KktState state_;
    // When refresh() last succeeded; read and written on the worker thread only. A job that
    // refreshed (GET /kkt/status, the first sale) pushes the idle refresh back, so the worker
    // never polls the register right behind a job that has just read the same status.
    std::chrono::steady_clock::time_point refreshed_at_{};
    std::thread thread_;
};

}  // namespace piotd::daemon
