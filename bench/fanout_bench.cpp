// A store piotd serving a fleet (issue 23, docs/replication.md "Serving many tills at once"):
// N light tills pull a snapshot at once and then poll for changes, while the store's own check
// latency is measured on one connection in the same run. Called by bench/fanout.sh:
//   piotd_fanout_bench PORT TILLS IDLE_SECONDS PERIOD_SECONDS DELTA_COUNT DELTA_COMMAND
//
// A light till speaks the replication protocol as piotd's replicator does, without storing
// anything: GET /api/v1/replication/snapshot?list=blocked_cis on its own keep-alive connection,
// the NDJSON body read 256 KiB at a time with its lines counted and the trailer's count checked
// (a real till parses each line and writes LMDB: the tills here stand for other machines); a 503
// is honoured as the replicator does (close, wait Retry-After plus up to half again, retry).
// Then it polls GET /api/v1/replication/changes every PERIOD seconds from a random phase, as
// independent tills would, moving its cursor as pages arrive.
//
// The phases, one after the other:
//   idle     IDLE_SECONDS of checks with nothing else going on
//   fan-out  every till requests its snapshot at once; ends when the last has its trailer
//   settle   one PERIOD: every till polls once with nothing to fetch
//   delta    DELTA_COMMAND (piotd import --append of DELTA_COUNT codes into the store) runs; the
//            phase ends when every till has fetched DELTA_COUNT changes. The figure is the time
//            from the command's end (committed) to the last till's page.
// The checks (GET /api/v1/cis/check of a code on no list, back to back, one keep-alive
// connection, as a POS terminal makes them) run throughout at normal priority and are filed by
// the phase they started in. The tills run at SCHED_IDLE: they stand for other machines and must
// not take this host's CPU from the store they measure (bench/replication.sh does the same with
// the fake upstream). TILLS_SCHED=normal runs them at the checks' own priority instead (then they
// compete with the store for the two CPUs, as tills on the same host would). CHECK_GAP_US paces
// the checks (see main).
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/bench_http_client.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using piotd::bench::HttpClient;
using piotd::bench::percentile;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kAuthorization = "Basic YWRtaW46YWRtaW4=";  // admin:admin (--demo)
const piotd::bench::Headers kAuth = {{"Authorization", kAuthorization}};
const std::string kCheck = "/api/v1/cis/check?cis=0104600000000000215NotListed0000";

double seconds_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

// The number after `"key":` in `text` from `from` on, or nullopt.
std::optional<std::uint64_t> number_after(std::string_view text, std::string_view key,
                                          std::size_t from = 0) {
    const std::string needle = "\"" + std::string(key) + "\":";
    const auto at = text.find(needle, from);
    if (at == std::string_view::npos) return std::nullopt;
    return std::strtoull(text.data() + at + needle.size(), nullptr, 10);
}

std::string string_after(std::string_view text, std::string_view key) {
    const std::string needle = "\"" + std::string(key) + "\":\"";
    const auto at = text.find(needle);
    if (at == std::string_view::npos) return {};
    const auto end = text.find('"', at + needle.size());
    return std::string(text.substr(at + needle.size(), end - at - needle.size()));
}

struct TillResult {
    Clock::time_point snapshot_done{};
    std::uint64_t items = 0;
    std::uint64_t bytes = 0;
    unsigned refused = 0;  // 503s met on the snapshot
    unsigned max_retry_after = 0;
    unsigned errors = 0;  // anything else that made it retry
    Clock::time_point delta_done{};
    std::uint64_t changes = 0;  // changes fetched after the snapshot
    unsigned pages_refused = 0;
    std::string failure;
};

struct Shared {
    unsigned short port = 0;
    std::chrono::seconds period{10};
    std::uint64_t delta_count = 1000;
    bool tills_idle = true;               // TILLS_SCHED=normal: at the checks' own priority
    std::size_t read_bytes = 256 * 1024;  // a till's read, as piotd's replicator makes it
    std::atomic<bool> go{false};
    std::atomic<bool> stop{false};
    std::atomic<unsigned> snapshots_done{0};
    std::atomic<unsigned> deltas_done{0};
};

class LightTill {
public:
    LightTill(Shared& shared, TillResult& result, unsigned seed)
        : shared_(shared), result_(result), random_(seed) {}

    void run() {
        if (shared_.tills_idle) {
            const sched_param idle{};
            sched_setscheduler(0, SCHED_IDLE, &idle);
        }
        while (!shared_.go.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        while (!shared_.stop.load() && !snapshot()) {
        }
        result_.snapshot_done = Clock::now();
        shared_.snapshots_done.fetch_add(1);
        poll_changes();
    }

private:
    void connect() {
        stream_.emplace(io_);
        stream_->connect(
            asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), shared_.port));
        stream_->socket().set_option(asio::ip::tcp::no_delay(true));
        buffer_.clear();
    }
    void disconnect() {
        if (!stream_) return;
        beast::error_code ignored;
        stream_->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        stream_->socket().close(ignored);
        stream_.reset();
    }
    void send(const std::string& target) {
        if (!stream_) connect();
        http::request<http::empty_body> request{http::verb::get, target, 11};
        request.set(http::field::host, "127.0.0.1");
        request.set(http::field::authorization, kAuthorization);
        request.set(http::field::user_agent, "piotd-fanout-bench");
        http::write(*stream_, request);
    }
    // Waits what a 503's Retry-After asks, with the replicator's jitter (up to half again).
    void honour(unsigned retry_after) {
        disconnect();
        const auto base = std::chrono::milliseconds(std::max(1U, retry_after) * 1000);
        std::uniform_int_distribution<long> spread(base.count(), base.count() * 3 / 2);
        std::this_thread::sleep_for(std::chrono::milliseconds(spread(random_)));
    }
    static unsigned retry_after_of(const http::fields& fields) {
        const auto found = fields.find(http::field::retry_after);
        return found == fields.end()
                   ? 0
                   : static_cast<unsigned>(std::atoi(std::string(found->value()).c_str()));
    }

    // One attempt; true when the whole snapshot arrived.
    bool snapshot() {
        try {
            send("/api/v1/replication/snapshot?list=blocked_cis");
            http::response_parser<http::buffer_body> parser;
            parser.body_limit(boost::none);
            http::read_header(*stream_, buffer_, parser);
            const unsigned status = parser.get().result_int();
            if (status != 200) {
                http::response_parser<http::string_body> rest(std::move(parser));
                http::read(*stream_, buffer_, rest);
                if (status == 503) {
                    ++result_.refused;
                    const unsigned wait = retry_after_of(rest.get());
                    result_.max_retry_after = std::max(result_.max_retry_after, wait);
                    honour(wait);
                    return false;
                }
                throw std::runtime_error("snapshot answered " + std::to_string(status));
            }
            buffer_.reserve(shared_.read_bytes);
            std::vector<char> piece(shared_.read_bytes);
            // Lines are counted (std::count is vectorised); the header is the first line, the
            // trailer the end of the body (the last 256 bytes are kept).
            std::string header;
            std::string tail;
            bool in_header = true;
            std::uint64_t lines = 0;
            std::uint64_t bytes = 0;
            while (!parser.is_done()) {
                parser.get().body().data = piece.data();
                parser.get().body().size = piece.size();
                beast::error_code ec;
                http::read(*stream_, buffer_, parser, ec);
                if (ec && ec != http::error::need_buffer) throw beast::system_error(ec);
                const std::size_t got = piece.size() - parser.get().body().size;
                const std::string_view data(piece.data(), got);
                bytes += got;
                lines += static_cast<std::uint64_t>(std::count(data.begin(), data.end(), '\n'));
                if (in_header) {
                    const auto end = data.find('\n');
                    header.append(data.substr(0, end));
                    in_header = end == std::string_view::npos;
                }
                tail.append(data.substr(data.size() - std::min<std::size_t>(data.size(), 256)));
                if (tail.size() > 256) tail.erase(0, tail.size() - 256);
            }
            // The trailer: the last line of the body, before its final '\n'.
            while (!tail.empty() && tail.back() == '\n') tail.pop_back();
            const std::string object = tail.substr(tail.rfind('\n') + 1);
            // `object` is the last object line: the trailer, with the count of items.
            if (lines < 2 || object.find("\"end\":true") == std::string::npos) {
                throw std::runtime_error("snapshot without its trailer");
            }
            if (number_after(object, "count") != lines - 2) {
                throw std::runtime_error("snapshot trailer count does not match: " + object);
            }
            epoch_ = string_after(header, "epoch");
            seq_ = number_after(header, "seq").value_or(0);
            result_.items = lines - 2;
            result_.bytes = bytes;
            return true;
        } catch (const std::exception& e) {
            ++result_.errors;
            result_.failure = e.what();
            disconnect();
            std::this_thread::sleep_for(std::chrono::seconds(1));
            return false;
        }
    }
    void poll_changes() {
        std::uniform_int_distribution<long> phase(0, shared_.period.count() * 1000 - 1);
        auto next = Clock::now() + std::chrono::milliseconds(phase(random_));
        while (!shared_.stop.load()) {
            while (Clock::now() < next && !shared_.stop.load()) {
                std::this_thread::sleep_for(
                    std::min<Clock::duration>(next - Clock::now(), std::chrono::milliseconds(50)));
            }
            if (shared_.stop.load()) return;
            next += shared_.period;
            fetch_changes();
        }
    }
    void fetch_changes() {
        try {
            for (;;) {
                send("/api/v1/replication/changes?list=blocked_cis&epoch=" + epoch_ +
                     "&since=" + std::to_string(seq_));
                http::response<http::string_body> response;
                http::read(*stream_, buffer_, response);
                if (response.result_int() == 503) {
                    ++result_.pages_refused;
                    honour(retry_after_of(response));
                    continue;
                }
                if (response.result_int() != 200) {
                    throw std::runtime_error("changes answered " +
                                             std::to_string(response.result_int()));
                }
                const std::string& body = response.body();
                std::uint64_t count = 0;
                for (std::size_t at = body.find("\"op\":"); at != std::string::npos;
                     at = body.find("\"op\":", at + 1)) {
                    ++count;
                }
                const bool more = body.find("\"more\":true") != std::string::npos;
                if (more) {
                    const auto last = body.rfind("{\"seq\":");
                    seq_ = number_after(body, "seq", last).value_or(seq_);
                } else {
                    seq_ = number_after(body, "seq").value_or(seq_);
                }
                const bool had = result_.changes >= shared_.delta_count;
                result_.changes += count;
                if (!had && result_.changes >= shared_.delta_count) {
                    result_.delta_done = Clock::now();
                    shared_.deltas_done.fetch_add(1);
                }
                if (!more) return;
            }
        } catch (const std::exception& e) {
            ++result_.errors;
            result_.failure = e.what();
            disconnect();
        }
    }

    Shared& shared_;
    TillResult& result_;
    std::mt19937_64 random_;
    asio::io_context io_;
    std::optional<beast::tcp_stream> stream_;
    beast::flat_buffer buffer_;
    std::string epoch_;
    std::uint64_t seq_ = 0;
};

struct Sample {
    Clock::time_point start;
    double us;
};

// CPU seconds (user + system) of the store's threads, the serving workers apart from the rest
// (its I/O threads, mostly).
struct StoreCpu {
    double serving = 0;
    double other = 0;
};

StoreCpu store_cpu(const std::string& pid) {
    StoreCpu cpu;
    if (pid.empty()) return cpu;
    const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    namespace fs = std::filesystem;
    std::error_code ec;
    for (const auto& task : fs::directory_iterator("/proc/" + pid + "/task", ec)) {
        std::ifstream in(task.path() / "stat");
        std::string stat;
        std::getline(in, stat);
        const auto open = stat.find('(');
        const auto close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos) continue;
        const std::string name = stat.substr(open + 1, close - open - 1);
        std::istringstream fields(stat.substr(close + 2));
        std::string field;
        double utime = 0;
        double stime = 0;
        for (int at = 3; fields >> field; ++at) {
            if (at == 14) utime = std::stod(field);
            if (at == 15) {
                stime = std::stod(field);
                break;
            }
        }
        (name == "piotd-replserve" ? cpu.serving : cpu.other) += (utime + stime) / tick;
    }
    return cpu;
}

struct Window {
    const char* name;
    Clock::time_point begin;
    Clock::time_point end;
};

void print_window(const Window& window, const std::vector<Sample>& samples,
                  std::vector<double>* keep = nullptr) {
    std::vector<double> us;
    for (const Sample& s : samples) {
        if (s.start >= window.begin && s.start < window.end) us.push_back(s.us);
    }
    std::printf("check %-22s p50 %7.0f  p90 %7.0f  p99 %7.0f  max %8.0f µs  (n=%zu, %.1f s)\n",
                window.name, percentile(us, 0.5), percentile(us, 0.9), percentile(us, 0.99),
                percentile(us, 1.0), us.size(), seconds_between(window.begin, window.end));
    if (keep != nullptr) *keep = std::move(us);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 7) {
        std::fprintf(stderr,
                     "usage: piotd_fanout_bench PORT TILLS IDLE_SECONDS PERIOD_SECONDS "
                     "DELTA_COUNT DELTA_COMMAND\n");
        return 2;
    }
    Shared shared;
    shared.port = static_cast<unsigned short>(std::atoi(argv[1]));
    const auto tills = static_cast<unsigned>(std::atoi(argv[2]));
    const std::chrono::seconds idle{std::atoi(argv[3])};
    shared.period = std::chrono::seconds(std::max(1, std::atoi(argv[4])));
    shared.delta_count = std::strtoull(argv[5], nullptr, 10);
    const std::string delta_command = argv[6];

    // CHECK_GAP_US: 0 (default) checks back to back; N: a check every N µs (a till's POS makes a
    // few a second; back to back keeps one CPU busy with checks alone); -1: no checks (to see
    // what serving costs by itself).
    const char* gap_text = std::getenv("CHECK_GAP_US");
    const std::chrono::microseconds check_gap{gap_text != nullptr ? std::atoll(gap_text) : 0};
    // STORE_PID: the store's CPU time by thread is read around each phase (/proc).
    const char* pid_text = std::getenv("STORE_PID");
    const std::string store_pid = pid_text != nullptr ? pid_text : "";
    const char* sched_text = std::getenv("TILLS_SCHED");
    shared.tills_idle = sched_text == nullptr || std::string_view(sched_text) != "normal";
    if (const char* kib = std::getenv("TILL_READ_KIB")) {
        shared.read_bytes = std::max<std::size_t>(4, std::strtoull(kib, nullptr, 10)) * 1024;
    }
    std::atomic<bool> checking{true};
    std::vector<Sample> samples;
    samples.reserve(4'000'000);
    std::string check_failure;
    std::thread checker([&] {
        if (check_gap.count() < 0) return;
        try {
            HttpClient client(shared.port);
            while (checking.load(std::memory_order_relaxed)) {
                const auto start = Clock::now();
                const int status = client.get(kCheck, kAuth);
                const double us =
                    std::chrono::duration<double, std::micro>(Clock::now() - start).count();
                if (status != 200)
                    throw std::runtime_error("check answered " + std::to_string(status));
                samples.push_back({start, us});
                if (check_gap.count() > 0) std::this_thread::sleep_until(start + check_gap);
            }
        } catch (const std::exception& e) {
            check_failure = e.what();
        }
    });

    std::vector<TillResult> results(tills);
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < tills; ++i) {
        threads.emplace_back([&shared, &results, i] {
            LightTill till(shared, results[i], 1000 + i);
            till.run();
        });
    }

    const auto idle_begin = Clock::now();
    std::this_thread::sleep_for(idle);
    const StoreCpu cpu_before = store_cpu(store_pid);
    const auto fan_begin = Clock::now();
    shared.go = true;
    const auto fan_limit = fan_begin + std::chrono::minutes(5);
    while (shared.snapshots_done.load() < tills && Clock::now() < fan_limit) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    Clock::time_point fan_end = fan_begin;
    for (const TillResult& r : results) fan_end = std::max(fan_end, r.snapshot_done);
    const bool fan_complete = shared.snapshots_done.load() == tills;
    const StoreCpu cpu_after = store_cpu(store_pid);

    // One period with nothing to fetch: every till has polled once from its own phase.
    const auto settle_begin = Clock::now();
    std::this_thread::sleep_for(shared.period + std::chrono::seconds(1));
    const auto delta_begin = Clock::now();
    const int command_status = std::system(delta_command.c_str());
    const auto committed = Clock::now();
    const auto delta_limit = committed + shared.period * 3 + std::chrono::seconds(30);
    while (shared.deltas_done.load() < tills && Clock::now() < delta_limit) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    Clock::time_point delta_end = committed;
    for (const TillResult& r : results) delta_end = std::max(delta_end, r.delta_done);
    const bool delta_complete = shared.deltas_done.load() == tills;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));

    shared.stop = true;
    for (std::thread& t : threads) t.join();
    checking = false;
    checker.join();
    if (!check_failure.empty()) {
        std::fprintf(stderr, "checks: %s\n", check_failure.c_str());
        return 1;
    }

    std::vector<double> idle_us;
    std::vector<double> fan_us;
    print_window({"idle", idle_begin + std::chrono::seconds(1), fan_begin}, samples, &idle_us);
    print_window({"during the fan-out", fan_begin, fan_end}, samples, &fan_us);
    print_window({"settle (polls only)", settle_begin, delta_begin}, samples);
    print_window({"during the delta", delta_begin, delta_end}, samples);

    std::vector<double> done_s;
    unsigned refused = 0;
    unsigned max_retry_after = 0;
    unsigned errors = 0;
    unsigned pages_refused = 0;
    std::uint64_t items = 0;
    std::uint64_t bytes = 0;
    std::string failure;
    for (const TillResult& r : results) {
        if (r.snapshot_done != Clock::time_point{})
            done_s.push_back(seconds_between(fan_begin, r.snapshot_done));
        refused += r.refused;
        max_retry_after = std::max(max_retry_after, r.max_retry_after);
        errors += r.errors;
        pages_refused += r.pages_refused;
        items = std::max(items, r.items);
        bytes = std::max(bytes, r.bytes);
        if (!r.failure.empty()) failure = r.failure;
    }
    const double fan_seconds = seconds_between(fan_begin, fan_end);
    std::printf(
        "tills: %u snapshots of %llu items (%.1f MB each): first done %.2f s, median %.2f s, "
        "all done %.2f s%s\n",
        tills, static_cast<unsigned long long>(items), static_cast<double>(bytes) / 1e6,
        percentile(done_s, 0.0), percentile(done_s, 0.5), fan_seconds,
        fan_complete ? "" : " (NOT ALL: timed out)");
    std::printf(
        "tills: %u snapshot requests refused with 503 (largest Retry-After %u s), "
        "%u pages refused, %u other errors%s%s\n",
        refused, max_retry_after, pages_refused, errors,
        failure.empty() ? "" : "; last: ", failure.c_str());
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("bench process CPU (tills and checks, whole run): user %.2f s, system %.2f s\n",
                static_cast<double>(usage.ru_utime.tv_sec) + usage.ru_utime.tv_usec / 1e6,
                static_cast<double>(usage.ru_stime.tv_sec) + usage.ru_stime.tv_usec / 1e6);
    if (!store_pid.empty()) {
        std::printf(
            "store CPU during the fan-out: serving workers %.2f s, other threads (I/O) "
            "%.2f s\n",
            cpu_after.serving - cpu_before.serving, cpu_after.other - cpu_before.other);
    }
    const double delta_ms =
        std::chrono::duration<double, std::milli>(delta_end - committed).count();
    std::vector<double> delta_each_ms;
    for (const TillResult& r : results) {
        if (r.delta_done != Clock::time_point{}) {
            delta_each_ms.push_back(
                std::chrono::duration<double, std::milli>(r.delta_done - committed).count());
        }
    }
    std::printf(
        "delta: %llu changes (command exit %d, %.0f ms) reached %u of %u tills %.0f ms after "
        "the commit (median till %.0f ms; sync period %lld s: %s one period)\n",
        static_cast<unsigned long long>(shared.delta_count), command_status,
        std::chrono::duration<double, std::milli>(committed - delta_begin).count(),
        shared.deltas_done.load(), tills, delta_ms, percentile(delta_each_ms, 0.5),
        static_cast<long long>(shared.period.count()),
        delta_complete && delta_ms <= static_cast<double>(shared.period.count()) * 1000 ? "within"
                                                                                        : "beyond");
    const double idle99 = percentile(idle_us, 0.99);
    const double fan99 = percentile(fan_us, 0.99);
    const double bound = std::max(3 * idle99, 1000.0);
    std::printf(
        "target: check p99 during the fan-out %.0f µs <= max(3 x idle p99 %.0f, 1000) = "
        "%.0f µs: %s; all tills done %.2f s <= 20 s: %s; delta within one period: %s\n",
        fan99, idle99, bound, fan99 <= bound ? "met" : "MISSED", fan_seconds,
        fan_complete && fan_seconds <= 20 ? "met" : "MISSED",
        delta_complete && delta_ms <= static_cast<double>(shared.period.count()) * 1000 ? "met"
                                                                                        : "MISSED");
    return fan_complete && delta_complete ? 0 : 1;
}
