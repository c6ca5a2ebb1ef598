#include "daemon/trueapi/true_api_client.hpp"

#include <rapidjson/document.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <random>

#include "daemon/log.hpp"
#include "daemon/trueapi/http_exchange.hpp"
#include "protocol/json/upstream_json.hpp"

namespace piotd::daemon {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Steady = std::chrono::steady_clock;

namespace {

constexpr const char* kInfoPath = "/api/v4/true-api/cdn/info";
constexpr const char* kHealthPath = "/api/v4/true-api/cdn/health/check";
constexpr const char* kCheckPath = "/api/v4/true-api/codes/check";
constexpr std::int64_t kTransborderDown = 5000;

std::int64_t refresh_jitter_ms() {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    return std::uniform_int_distribution<std::int64_t>(0, kRefreshMaxMs - kRefreshMinMs)(random);
}

// {"code":0,"hosts":[{"host":"https://cdn01.crpt.ru"},…]} → the host URLs.
std::vector<std::string> parse_host_list(const std::string& body, std::string& error) {
    rapidjson::Document document;
    // Iterative and depth-limited: deep nesting from a hostile upstream costs nothing.
    if (!protocol::parse_upstream_json(body, document) || !document.IsObject()) {
        error = "cdn/info: not a JSON object";
        return {};
    }
    if (const auto code = document.FindMember("code");
        code != document.MemberEnd() && (!code->value.IsInt64() || code->value.GetInt64() != 0)) {
        error = "cdn/info: code is not 0";
        return {};
    }
    const auto hosts = document.FindMember("hosts");
    if (hosts == document.MemberEnd() || !hosts->value.IsArray()) {
        error = "cdn/info: no hosts array";
        return {};
    }
    std::vector<std::string> urls;
    for (const auto& entry : hosts->value.GetArray()) {
        if (!entry.IsObject()) continue;
        const auto host = entry.FindMember("host");
        if (host == entry.MemberEnd() || !host->value.IsString()) continue;
        std::string url(host->value.GetString(), host->value.GetStringLength());
        while (!url.empty() && url.back() == '/') url.pop_back();
        try {
            parse_service_url(url, "CDN host");
        } catch (const std::exception&) {
            continue;  // a host we could not talk to anyway
        }
        if (std::find(urls.begin(), urls.end(), url) == urls.end()) urls.push_back(url);
        if (urls.size() >= 64) break;
    }
    if (urls.empty()) error = "cdn/info: no usable host";
    return urls;
}

// {"code":0,"avgTimeMs":38} → avgTimeMs, or nothing when the host is not healthy.
std::optional<std::int64_t> parse_health(const std::string& body) {
    rapidjson::Document document;
    if (!protocol::parse_upstream_json(body, document) || !document.IsObject()) return std::nullopt;
    const auto code = document.FindMember("code");
    if (code != document.MemberEnd() && (!code->value.IsInt64() || code->value.GetInt64() != 0)) {
        return std::nullopt;
    }
    const auto avg = document.FindMember("avgTimeMs");
    if (avg == document.MemberEnd() || !avg->value.IsNumber()) return std::int64_t{0};
    return static_cast<std::int64_t>(std::max(0.0, avg->value.GetDouble()));
}

}  // namespace

// Keep-alive connections to the CDN hosts, one pool per thread: a connection belongs to the
// executor (thread) that opened it. Destroyed when its thread ends, before the thread's
// io_context is (the HTTP server joins its threads, then destroys their contexts).
ConnectionPool& thread_pool() {
    thread_local ConnectionPool pool;
    return pool;
}

struct TrueApiClient::Attempt {
    asio::any_io_executor executor;
    std::string body;
    Steady::time_point deadline;
    std::function<void(OnlineCheck)> done;
    std::vector<std::string> tried;
    std::string host;
    bool retried = false;
    std::string failures;              // every host's failure, for the log and the answer
    Steady::duration upstream_time{};  // summed over the exchanges

    void finish(OnlineCheck result) {
        result.upstream_time = upstream_time;
        done(std::move(result));
    }
    void note(const std::string& what) {
        if (!failures.empty()) failures += "; ";
        failures += host + ": " + what;
    }
};

TrueApiClient::TrueApiClient(TrueApiOptions options, const Clock& clock,
                             std::function<std::string()> token)
    : options_(std::move(options)),
      clock_(clock),
      token_(std::move(token)),
      tls_(asio::ssl::context::tls_client),
      tick_timer_(io_) {
    enabled_ = !options_.discovery_url.empty();
    if (enabled_) discovery_ = parse_service_url(options_.discovery_url, "--true-api");
    // Loading the system CA bundle (~140 certificates) is most of the daemon's start-up, tens
    // of milliseconds (bench/README.md, eighth session). An offline-only till (no True API URL)
    // does not connect and skips it; a --ca-file given there is still loaded, so a bad path fails
    // at start as before.
    if (enabled_ || !options_.ca_file.empty()) configure_tls_client(tls_, options_.ca_file);
}

TrueApiClient::~TrueApiClient() {
    stop();
}

void TrueApiClient::start() {
    work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
        io_.get_executor());
    if (enabled_) asio::post(io_, [this] { tick(); });
    thread_ = std::thread([this] { io_.run(); });
}

void TrueApiClient::stop() {
    {
        std::lock_guard lock(stop_mutex_);
        stopped_ = true;
    }
    if (!thread_.joinable()) return;
    // Only the host-list refresh runs here (checks run on the HTTP threads): it is dropped, not
    // waited for, so a CDN that does not answer cannot delay the daemon's stop.
    asio::post(io_, [this] {
        stopping_ = true;
        tick_timer_.cancel();
        thread_pool().clear();
        io_.stop();
    });
    work_.reset();
    thread_.join();
}

TrueApiClient::HostsView TrueApiClient::hosts() const {
    std::lock_guard lock(mutex_);
    return HostsView{selector_.hosts(), selector_.last_refresh_ms(), selector_.next_refresh_ms(),
                     last_error_};
}

// Once a second: is a refresh of the host list due? (The daemon's clock decides, so tests can
// move it by hours.) Only with a token: every True API method wants the X-API-KEY.
void TrueApiClient::tick() {
    if (stopping_) return;
    bool due = false;
    {
        std::lock_guard lock(mutex_);
        due = selector_.refresh_due(clock_.now_ms());
    }
    if (due && !refreshing_ && !token_().empty()) refresh();
    tick_timer_.expires_after(std::chrono::seconds(1));
    tick_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) tick();
    });
}

void TrueApiClient::refresh() {
    refreshing_ = true;
    ExchangeRequest request;
    request.target = kInfoPath;
    request.api_key = token_();
    start_exchange(io_.get_executor(), tls_, nullptr, discovery_, request,
                   Steady::now() + options_.discovery_timeout, [this](ExchangeResult result) {
                       std::string error;
                       if (!result.failure.empty()) {
                           error = "cdn/info: " + result.failure;
                       } else if (result.status != 200) {
                           error = "cdn/info: HTTP " + std::to_string(result.status);
                       }
                       std::vector<std::string> urls;
                       if (error.empty()) urls = parse_host_list(result.body, error);
                       if (!error.empty()) return finish_refresh({}, error);

                       // Health of every host at once; the list is set when the last one has
                       // answered.
                       struct Round {
                           std::vector<CdnHost> hosts;
                           std::size_t pending = 0;
                       };
                       auto round = std::make_shared<Round>();
                       round->pending = urls.size();
                       for (const std::string& url : urls) round->hosts.push_back(CdnHost{url});
                       for (std::size_t i = 0; i < urls.size(); ++i) {
                           ExchangeRequest health;
                           health.target = kHealthPath;
                           health.api_key = token_();
                           start_exchange(io_.get_executor(), tls_, nullptr, *host_url(urls[i]),
                                          health, Steady::now() + options_.health_timeout,
                                          [this, round, i](ExchangeResult answer) {
                                              std::optional<std::int64_t> avg;
                                              if (answer.failure.empty() && answer.status == 200) {
                                                  avg = parse_health(answer.body);
                                              }
                                              round->hosts[i].healthy = avg.has_value();
                                              round->hosts[i].avg_time_ms = avg.value_or(0);
                                              if (--round->pending == 0)
                                                  finish_refresh(round->hosts, {});
                                          });
                       }
                   });
}

void TrueApiClient::finish_refresh(std::vector<CdnHost> hosts, std::string error) {
    refreshing_ = false;
    const std::int64_t now = clock_.now_ms();
    std::lock_guard lock(mutex_);
    if (!error.empty()) {
        if (error != last_error_) log_warning("trueapi", error);
        record_error("discovery", error);
        last_error_ = error;
        selector_.refresh_failed(now);
        return;
    }
    last_error_.clear();
    record_ok();
    std::string summary;
    for (const CdnHost& host : hosts) {
        summary += " " + host.url +
                   (host.healthy ? "=" + std::to_string(host.avg_time_ms) + "ms" : "=unhealthy");
    }
    log_info("trueapi", "CDN hosts:" + summary);
    selector_.set_hosts(std::move(hosts), now, refresh_jitter_ms());
}

void TrueApiClient::record_ok() {
    if (options_.health != nullptr) options_.health->record_ok(clock_.now_ms());
}

void TrueApiClient::record_error(std::string_view kind, const std::string& message) {
    if (options_.health != nullptr) options_.health->record_error(kind, message, clock_.now_ms());
}

const UpstreamUrl* TrueApiClient::host_url(const std::string& host) {
    std::lock_guard lock(mutex_);  // map nodes are stable: the pointer outlives the lock
    auto it = parsed_hosts_.find(host);
    if (it == parsed_hosts_.end()) {
        it = parsed_hosts_.emplace(host, parse_service_url(host, "CDN host")).first;
    }
    return &it->second;
}

void TrueApiClient::check(asio::any_io_executor executor, std::vector<std::string> codes,
                          std::string fiscal_drive_number, Steady::time_point deadline,
                          std::function<void(OnlineCheck)> done) {
    auto attempt = std::make_shared<Attempt>();
    const bool own_thread = !executor;
    attempt->executor = own_thread ? io_.get_executor() : std::move(executor);
    std::vector<std::string_view> views(codes.begin(), codes.end());
    attempt->body = protocol::build_true_api_check_body(views, fiscal_drive_number);
    attempt->deadline = deadline;
    attempt->done = std::move(done);
    std::unique_lock lock(stop_mutex_);
    if (stopped_ || !thread_.joinable()) {
        lock.unlock();
        OnlineCheck result;
        result.failure = "stopping";
        return attempt->finish(std::move(result));
    }
    auto start = [this, attempt] {
        if (!enabled_) {
            OnlineCheck result;
            result.failure = "online checks are off (no --true-api)";
            return attempt->finish(std::move(result));
        }
        if (token_().empty()) {
            OnlineCheck result;
            result.failure = "no True API token (POST /api/v1/init or PIOTD_TOKEN)";
            return attempt->finish(std::move(result));
        }
        try_next(attempt);
    };
    if (own_thread) {
        // The client's own io_context: queued under the lock, so stop() cannot end it between.
        asio::post(attempt->executor, std::move(start));
        return;
    }
    // The connection's executor outlives this client's thread. Called on that connection's
    // thread (the usual case), dispatch starts the check at once, without a scheduler pass; from
    // another thread it is queued. Not under the lock: the check may complete inline.
    lock.unlock();
    asio::dispatch(attempt->executor, std::move(start));
}

void TrueApiClient::try_next(std::shared_ptr<Attempt> attempt) {
    const auto fail = [&](std::string why) {
        OnlineCheck result;
        result.failure = attempt->failures.empty() ? why : why + " (" + attempt->failures + ")";
        attempt->finish(std::move(result));
    };
    if (Steady::now() >= attempt->deadline) return fail("online budget spent");
    std::optional<std::string> host;
    {
        std::lock_guard lock(mutex_);
        if (selector_.empty()) return fail("no CDN host known yet");
        host = selector_.pick(clock_.now_ms(), attempt->tried);
    }
    if (!host) return fail("every CDN host failed");
    attempt->tried.push_back(*host);
    attempt->host = *host;
    attempt->retried = false;
    send(attempt);
}

void TrueApiClient::send(std::shared_ptr<Attempt> attempt) {
    ExchangeRequest request;
    request.method = http::verb::post;
    request.target = kCheckPath;
    request.body = attempt->body;
    request.api_key = token_();
    // A host that hangs must not eat the whole budget while another host could still answer:
    // while untried hosts remain, one attempt gets two thirds of what is left.
    auto attempt_deadline = attempt->deadline;
    {
        std::lock_guard lock(mutex_);
        if (attempt->tried.size() < selector_.hosts().size()) {
            attempt_deadline = Steady::now() + (attempt->deadline - Steady::now()) * 2 / 3;
        }
    }
    start_exchange(
        attempt->executor, tls_, &thread_pool(), *host_url(attempt->host), std::move(request),
        attempt_deadline, [this, attempt](ExchangeResult result) {
            attempt->upstream_time += result.elapsed;
            const auto block = [&] {
                std::lock_guard lock(mutex_);
                selector_.block(attempt->host, clock_.now_ms());
            };
            const auto retry_or = [&](bool block_after) {
                if (!attempt->retried && Steady::now() < attempt->deadline) {
                    attempt->retried = true;
                    return send(attempt);
                }
                if (block_after) block();
                try_next(attempt);
            };
            if (!result.failure.empty()) {
                // Refused, reset, hung past the deadline, bad certificate: the host's
                // fault. No retry on the same host; the next one may answer.
                attempt->note(result.failure);
                record_error("network", attempt->host + ": " + result.failure);
                block();
                return try_next(attempt);
            }
            protocol::TrueApiCheckParse parsed = protocol::parse_true_api_check_answer(result.body);
            const bool transborder_down = parsed && parsed.answer.code == kTransborderDown;
            if (result.status == 429 || result.status >= 500 || transborder_down) {
                attempt->note("HTTP " + std::to_string(result.status) +
                              (transborder_down ? " code 5000" : ""));
                record_error("http", attempt->host + ": HTTP " + std::to_string(result.status));
                // code 5000: the transborder service is down, not the CDN host.
                return retry_or(!transborder_down);
            }
            if (result.status != 200) {
                // 400, 401, 403: the request or the token is wrong; another host
                // would say the same.
                attempt->note("HTTP " + std::to_string(result.status));
                record_error("http", attempt->host + ": HTTP " + std::to_string(result.status));
                OnlineCheck failed;
                failed.failure = "True API refused the request (" + attempt->failures + ")";
                return attempt->finish(std::move(failed));
            }
            if (!parsed || parsed.answer.code != 0) {
                attempt->note(parsed ? "code " + std::to_string(parsed.answer.code)
                                     : "unusable answer: " + parsed.detail);
                record_error("protocol", attempt->host + ": unusable codes/check answer");
                block();
                return try_next(attempt);
            }
            record_ok();
            OnlineCheck ok;
            ok.ok = true;
            ok.host = attempt->host;
            ok.body = std::move(result.body);
            ok.answer = std::move(parsed.answer);
            attempt->finish(std::move(ok));
        });
}

}  // namespace piotd::daemon
