// The client of the store's local module (ЛМ ЧЗ, lm-api.md §2–§4; docs/local-module.md). It
// polls the LM's status (detecting v1 or v2 from the LM itself) on a thread of its own, and runs
// outCheck asynchronously on the executor it is given (the HTTP connection's I/O thread), over
// keep-alive connections, within a deadline. A circuit (lm_circuit.hpp) keeps a failing LM from
// slowing every check; a status that is not ready, or a lastSync older than 72 h, fails a check
// at once without asking.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/clock.hpp"
#include "daemon/lm_upstream/lm_circuit.hpp"
#include "daemon/lm_upstream/lm_mirror.hpp"
#include "daemon/lm_upstream/local_module_config.hpp"
#include "daemon/replication/upstream_url.hpp"
#include "daemon/status/upstream_health.hpp"
#include "protocol/lm/lm_client_answer.hpp"

namespace piotd::daemon {

struct LmCheckCode {
    std::string cis;  // the КИ (lm-api.md §2.2: never the crypto tail)
    std::optional<int> product_group;
};

// What an LM check came to. `ok` false: no usable answer; `failure` says why and `kind` is one
// of: off, stopping, circuit_open, not_ready, out_of_sync, unauthorized, timeout, network, http,
// protocol.
struct LmCheck {
    bool ok = false;
    std::string kind;
    std::string failure;
    protocol::LmClientCheckAnswer answer;
    std::chrono::steady_clock::duration elapsed{};
};

class LmClient {
public:
    LmClient(LocalModuleConfig config, const std::string& ca_file, const Clock& clock,
             UpstreamHealth* health = nullptr);
    ~LmClient();
    LmClient(const LmClient&) = delete;
    LmClient& operator=(const LmClient&) = delete;

    void start();
    void stop();  // later check() calls complete at once with kind "stopping"

    bool enabled() const { return enabled_; }
    const LocalModuleConfig& config() const { return config_; }

    // outCheck of `codes`, finished at the latest at `deadline` (and within config timeout_ms).
    // Runs on `executor` and calls `done` there once (a null executor: the client's thread).
    void check(boost::asio::any_io_executor executor, std::vector<LmCheckCode> codes,
               std::chrono::steady_clock::time_point deadline, std::function<void(LmCheck)> done);

    LmMirror mirror() const;

private:
    struct Attempt;
    void poll();
    void poll_version(bool v2, bool fallback);
    void schedule_poll();
    void finish_poll(const std::string& version, std::optional<protocol::LmClientStatus> status,
                     const std::string& error);
    void send(std::shared_ptr<Attempt> attempt);
    void settle(const std::shared_ptr<Attempt>& attempt, LmCheck result, bool counts_as_failure);

    LocalModuleConfig config_;
    const Clock& clock_;
    UpstreamHealth* health_;
    bool enabled_ = false;
    UpstreamUrl url_;
    std::string authorization_;
    boost::asio::io_context io_{1};
    boost::asio::ssl::context tls_;
    boost::asio::steady_timer poll_timer_;
    std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::thread thread_;
    std::atomic<bool> stopped_{false};
    LmCircuit circuit_;

    mutable std::mutex mutex_;  // guards mirror_
    LmMirror mirror_;
    std::atomic<std::uint64_t> answered_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::atomic<std::uint64_t> skipped_{0};
};

}  // namespace piotd::daemon
