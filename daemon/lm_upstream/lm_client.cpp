#include "daemon/lm_upstream/lm_client.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "daemon/log.hpp"
#include "daemon/trueapi/http_exchange.hpp"
#include "protocol/text/base64.hpp"
#include "protocol/lm/lm_client_request.hpp"

namespace piotd::daemon {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Steady = std::chrono::steady_clock;

namespace {

// Keep-alive connections to the LM, one pool per thread: a connection belongs to the thread
// (and executor) that opened it. Its own pool, apart from the True API's.
ConnectionPool& thread_pool() {
    thread_local ConnectionPool pool;
    return pool;
}

std::string check_path(const std::string& version) {
    return version == "1" ? "/api/v1/cis/outCheck" : "/api/v2/cis/outCheck";
}

}  // namespace

LmUnready lm_unready(const LmMirror& mirror, std::int64_t now_ms) {
    if (!mirror.status) return {};  // never polled: the circuit judges
    const std::string& status = mirror.status->status;
    if (status != "ready") {
        return {status == "sync_error" ? "out_of_sync" : "not_ready", "status " + status};
    }
    if (mirror.status->last_sync_ms && now_ms - *mirror.status->last_sync_ms > kLmSyncLimitMs) {
        return {"out_of_sync",
                "lastSync " + std::to_string((now_ms - *mirror.status->last_sync_ms) / 3'600'000) +
                    " h ago (72 h rule)"};
    }
    return {};
}

struct LmClient::Attempt {
    asio::any_io_executor executor;
    std::vector<LmCheckCode> codes;
    std::string version;  // "1" or "2"
    Steady::time_point started;
    Steady::time_point deadline;
    bool switched_version = false;
    bool probe = false;  // let through a half-open circuit
    std::function<void(LmCheck)> done;
};

LmClient::LmClient(LocalModuleConfig config, const std::string& ca_file, const Clock& clock,
                   UpstreamHealth* health)
    : config_(std::move(config)),
      clock_(clock),
      health_(health),
      tls_(asio::ssl::context::tls_client),
      poll_timer_(io_),
      circuit_(config_.failures_to_open, std::chrono::milliseconds(config_.open_min_ms),
               std::chrono::milliseconds(config_.open_max_ms)) {
    enabled_ = !config_.url.empty();
    if (!enabled_) return;
    url_ = parse_service_url(config_.url, "--local-module");
    if (url_.tls) configure_tls_client(tls_, ca_file);
    authorization_ = "Basic " + protocol::base64_encode(config_.user + ":" + config_.password);
    mirror_.url = (url_.tls ? "https://" : "http://") + url_.host + ":" + url_.port + url_.base;
    if (config_.api == LmApiChoice::v1) mirror_.api_version = "1";
    if (config_.api == LmApiChoice::v2) mirror_.api_version = "2";
}

LmClient::~LmClient() {
    stop();
}

void LmClient::start() {
    if (!enabled_) return;
    work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
        io_.get_executor());
    asio::post(io_, [this] { poll(); });
    thread_ = std::thread([this] { io_.run(); });
}

void LmClient::stop() {
    stopped_ = true;
    if (!thread_.joinable()) return;
    // A poll under way is dropped, not waited for: a hanging LM cannot delay the stop.
    asio::post(io_, [this] {
        poll_timer_.cancel();
        thread_pool().clear();
        io_.stop();
    });
    work_.reset();
    thread_.join();
}

LmMirror LmClient::mirror() const {
    std::lock_guard lock(mutex_);
    LmMirror copy = mirror_;
    copy.circuit = std::string(lm_circuit_state_name(circuit_.state()));
    copy.circuit_open_until_ms = circuit_.open_until_ms();
    copy.circuit_opened = circuit_.times_opened();
    copy.checks_answered = answered_;
    copy.checks_failed = failed_;
    copy.checks_skipped = skipped_;
    return copy;
}

// ---- status poll (the client's own thread) ----

void LmClient::poll() {
    if (stopped_) return;
    std::string version;
    {
        std::lock_guard lock(mutex_);
        version = mirror_.api_version;
    }
    // Auto: v2 first (LM 2.x is what is deployed since 2025), then v1; a fixed version is asked
    // alone.
    if (config_.api == LmApiChoice::v1) return poll_version(false, false);
    if (config_.api == LmApiChoice::v2) return poll_version(true, false);
    poll_version(version != "1", true);
}

void LmClient::poll_version(bool v2, bool fallback) {
    ExchangeRequest request;
    request.target = v2 ? "/api/v2/status" : "/api/v1/status";
    request.authorization = authorization_;
    request.client_id = config_.client_id;
    request.max_body = 1u << 20;
    start_exchange(io_.get_executor(), tls_, nullptr, url_, std::move(request),
                   Steady::now() + std::chrono::milliseconds(config_.status_timeout_ms),
                   [this, v2, fallback](ExchangeResult result) {
                       if (stopped_) return;
                       const std::string version = v2 ? "2" : "1";
                       // An LM of the other version answers 404 (or 405) on this one's paths.
                       if (fallback && result.failure.empty() &&
                           (result.status == 404 || result.status == 405)) {
                           return poll_version(!v2, false);
                       }
                       if (!result.failure.empty()) {
                           return finish_poll({}, std::nullopt, "status: " + result.failure);
                       }
                       if (result.status == 401 || result.status == 403) {
                           return finish_poll({}, std::nullopt,
                                              "status: HTTP " + std::to_string(result.status) +
                                                  " (check [local_module] user and password)");
                       }
                       if (result.status != 200) {
                           return finish_poll({}, std::nullopt,
                                              "status: HTTP " + std::to_string(result.status));
                       }
                       protocol::LmClientStatusParse parsed =
                           protocol::parse_lm_status(result.body);
                       if (!parsed)
                           return finish_poll({}, std::nullopt, "status: " + parsed.detail);
                       finish_poll(version, std::move(parsed.status), {});
                   });
}

void LmClient::finish_poll(const std::string& version,
                           std::optional<protocol::LmClientStatus> status,
                           const std::string& error) {
    const std::int64_t now = clock_.now_ms();
    std::string logged;
    {
        std::lock_guard lock(mutex_);
        mirror_.checked_at_ms = now;
        mirror_.reachable = status.has_value();
        if (status) {
            if (mirror_.api_version != version || !mirror_.status ||
                mirror_.status->status != status->status) {
                logged = "local module " + mirror_.url + ": v" + version + " " + status->status +
                         (status->version.empty() ? "" : ", version " + status->version);
            }
            mirror_.api_version = version;
            mirror_.status = std::move(status);
            mirror_.last_ok_ms = now;
            mirror_.last_error.clear();
        } else {
            if (mirror_.last_error != error) logged = "local module " + mirror_.url + ": " + error;
            mirror_.last_error = error;
        }
    }
    if (health_ != nullptr) {
        if (error.empty()) {
            health_->record_ok(now);
        } else {
            health_->record_error("status", error, now);
        }
    }
    if (!logged.empty()) {
        if (error.empty()) {
            log_info("lm", logged);
        } else {
            log_warning("lm", logged);
        }
    }
    schedule_poll();
}

void LmClient::schedule_poll() {
    if (stopped_) return;
    poll_timer_.expires_after(std::chrono::milliseconds(config_.poll_period_ms));
    poll_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) poll();
    });
}

// ---- checks (the caller's executor) ----

void LmClient::check(asio::any_io_executor executor, std::vector<LmCheckCode> codes,
                     Steady::time_point deadline, std::function<void(LmCheck)> done) {
    auto attempt = std::make_shared<Attempt>();
    attempt->executor = executor ? std::move(executor) : io_.get_executor();
    attempt->codes = std::move(codes);
    attempt->started = Steady::now();
    attempt->deadline =
        std::min(deadline, attempt->started + std::chrono::milliseconds(config_.timeout_ms));
    attempt->done = std::move(done);
    const auto fail_now = [&](std::string kind, std::string why) {
        ++skipped_;
        LmCheck result;
        result.kind = std::move(kind);
        result.failure = std::move(why);
        attempt->done(std::move(result));
    };
    if (!enabled_) return fail_now("off", "no local module configured");
    if (stopped_) return fail_now("stopping", "stopping");
    const std::int64_t now = clock_.now_ms();
    LmUnready unready;
    std::string last_error;
    {
        std::lock_guard lock(mutex_);
        unready = lm_unready(mirror_, now);
        attempt->version = mirror_.api_version.empty() ? "2" : mirror_.api_version;
        last_error = mirror_.last_error;
    }
    if (!unready.kind.empty()) {
        return fail_now(std::move(unready.kind), "local module " + unready.reason);
    }
    if (!circuit_.allow(now)) {
        return fail_now("circuit_open",
                        "local module circuit open" +
                            (last_error.empty() ? std::string() : " (" + last_error + ")"));
    }
    asio::dispatch(attempt->executor, [this, attempt] { send(attempt); });
}

void LmClient::send(std::shared_ptr<Attempt> attempt) {
    std::vector<protocol::LmCheckQuery> queries;
    queries.reserve(attempt->codes.size());
    for (const LmCheckCode& code : attempt->codes) {
        queries.push_back({code.cis, code.product_group});
    }
    ExchangeRequest request;
    request.method = http::verb::post;
    request.target = check_path(attempt->version);
    request.body = attempt->version == "1" ? protocol::build_lm_v1_check_body(queries)
                                           : protocol::build_lm_v2_check_body(queries);
    request.authorization = authorization_;
    request.client_id = config_.client_id;
    request.max_body = 8u << 20;
    start_exchange(
        attempt->executor, tls_, &thread_pool(), url_, std::move(request), attempt->deadline,
        [this, attempt](ExchangeResult result) {
            LmCheck out;
            out.elapsed = Steady::now() - attempt->started;
            const auto fail = [&](std::string kind, std::string why, bool counts) {
                out.kind = std::move(kind);
                out.failure = std::move(why);
                settle(attempt, std::move(out), counts);
            };
            if (!result.failure.empty()) {
                return fail(result.timed_out ? "timeout" : "network",
                            "local module: " + result.failure, true);
            }
            // Auto detection: the LM was replaced by one of the other version.
            if ((result.status == 404 || result.status == 405) &&
                config_.api == LmApiChoice::automatic && !attempt->switched_version &&
                Steady::now() < attempt->deadline) {
                attempt->switched_version = true;
                attempt->version = attempt->version == "1" ? "2" : "1";
                return send(attempt);
            }
            if (result.status == 401 || result.status == 403) {
                return fail("unauthorized",
                            "local module: HTTP " + std::to_string(result.status) +
                                " (check [local_module] user and password)",
                            true);
            }
            protocol::LmClientCheckParse parsed = protocol::parse_lm_check_answer(result.body);
            if (parsed.error == protocol::LmAnswerError::not_ready) {
                return fail("not_ready", "local module not ready (errorCode 4045)", false);
            }
            if (parsed.error == protocol::LmAnswerError::out_of_sync) {
                return fail("out_of_sync", "local module out of sync (errorCode 4050)", false);
            }
            if (result.status != 200) {
                return fail("http", "local module: HTTP " + std::to_string(result.status), true);
            }
            if (!parsed) {
                return fail("protocol", "local module: unusable answer: " + parsed.detail, true);
            }
            out.ok = true;
            out.answer = std::move(parsed.answer);
            settle(attempt, std::move(out), false);
        });
}

void LmClient::settle(const std::shared_ptr<Attempt>& attempt, LmCheck result,
                      bool counts_as_failure) {
    const std::int64_t now = clock_.now_ms();
    if (result.ok) {
        ++answered_;
        circuit_.record_success();
        if (health_ != nullptr) health_->record_ok(now);
        std::lock_guard lock(mutex_);
        mirror_.last_ok_ms = now;
    } else {
        ++failed_;
        if (counts_as_failure) {
            circuit_.record_failure(now);
        } else {
            circuit_.record_success();  // it answered, quickly: the LM is there
        }
        if (health_ != nullptr) health_->record_error(result.kind, result.failure, now);
        std::lock_guard lock(mutex_);
        mirror_.last_error = result.failure;
    }
    attempt->done(std::move(result));
}

}  // namespace piotd::daemon
