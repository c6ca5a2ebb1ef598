// Replication end to end: the real piotd binary against the fake upstream (tests/fakes/) and
// against another piotd, with kill -9 at random points.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/ioprio.h>
#include <rapidjson/document.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_pki.hpp"

using namespace piotd::test;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kLists = {"blocked_cis", "blocked_gtin", "blocked_series",
                                         "min_price"};

rapidjson::Document parse(const std::string& body) {
    rapidjson::Document document;
    document.Parse(body.c_str(), body.size());
    REQUIRE_MESSAGE(!document.HasParseError(), "not JSON: " << body.substr(0, 300));
    return document;
}

std::vector<std::string> lines_of(const std::string& body) {
    std::vector<std::string> lines;
    std::istringstream in(body);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

// A piotd's list as its replication snapshot serves it (items only, in order).
std::vector<std::string> served_items(HttpClient& client, const std::string& list) {
    const HttpReply reply = client.get("/api/v1/replication/snapshot?list=" + list);
    REQUIRE(reply.status == 200);
    std::vector<std::string> items;
    const auto lines = lines_of(reply.body);
    REQUIRE(lines.size() >= 2);
    for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
        const auto value = parse(lines[i]);
        REQUIRE(value.IsString());
        items.emplace_back(value.GetString(), value.GetStringLength());
    }
    return items;
}

// The fake upstream on its own port.
struct FakeUpstream {
    unsigned short port = free_port();
    std::vector<std::string> args;
    std::unique_ptr<DaemonProcess> process;

    explicit FakeUpstream(std::vector<std::string> extra) : args(std::move(extra)) { start(); }
    void start() {
        std::vector<std::string> all = {"--listen", "127.0.0.1:" + std::to_string(port)};
        all.insert(all.end(), args.begin(), args.end());
        process = std::make_unique<DaemonProcess>(PIOTD_FAKE_UPSTREAM, all, port);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
    HttpReply control(const std::string& target, const std::string& body = {}) {
        HttpClient client(port);
        return client.request("POST", target, body, "");
    }
    std::vector<std::string> items(const std::string& list) {
        HttpClient client(port);
        return lines_of(client.request("GET", "/control/items?list=" + list, {}, "").body);
    }
    // One counter of /control/stats (snapshotsResumed, itemsStreamed…).
    std::uint64_t stat(const char* name) {
        HttpClient client(port);
        return parse(client.request("GET", "/control/stats", {}, "").body)[name].GetUint64();
    }
};

// A till replicating from `upstream`.
struct Till {
    TempDir dir;
    unsigned short port = free_port();
    std::string upstream;
    std::map<std::string, std::string> env;
    std::unique_ptr<DaemonProcess> process;

    // `extra_config`: more lines for the till's config file, after its [upstream] section's.
    Till(std::string upstream_url, std::map<std::string, std::string> extra_env = {},
         const std::string& extra_config = {})
        : upstream(std::move(upstream_url)), env(std::move(extra_env)) {
        env["PIOTD_PASSWORD"] = "till";
        env["PIOTD_UPSTREAM_USER"] = "admin";
        env["PIOTD_UPSTREAM_PASSWORD"] = "admin";
        std::ofstream(dir.path() / "piotd.conf") << "[upstream]\nsnapshot_batch_items = 500\n"
                                                 << extra_config;
        start();
    }
    void start() {
        process = std::make_unique<DaemonProcess>(
            std::vector<std::string>{"--config", (dir.path() / "piotd.conf").string(), "--data-dir",
                                     (dir.path() / "data").string(), "--listen",
                                     "127.0.0.1:" + std::to_string(port), "--upstream", upstream,
                                     "--sync-period", "1"},
            port, env);
    }
    HttpClient client() const { return HttpClient(port, "admin", "till"); }
    std::string status() {
        auto c = client();
        return parse(c.get("/api/v1/status").body)["status"].GetString();
    }
    // Items a snapshot load of `list` has committed so far (the status page's "loading"), 0 if
    // none is under way.
    std::uint64_t loading(const std::string& list) {
        auto c = client();
        const auto page = parse(c.get("/api/v1/status/page").body);
        for (const auto& row : page["lists"].GetArray()) {
            if (row["name"].GetString() == list && row["loading"].IsUint64()) {
                return row["loading"].GetUint64();
            }
        }
        return 0;
    }
    bool blocked(const std::string& ki) {
        auto c = client();
        const auto reply = c.get("/api/v1/cis/check?cis=" + url_encode(ki));
        return reply.status == 200 && parse(reply.body)["codes"][0]["isBlocked"].GetBool();
    }
};

// The id of the process's thread named `name`, or -1 if it has none.
pid_t thread_named(pid_t pid, const std::string& name) {
    namespace fs = std::filesystem;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
        std::string comm;
        std::getline(std::ifstream(task.path() / "comm"), comm);
        if (comm == name) return std::stoi(task.path().filename().string());
    }
    return -1;
}

// Field `number` of /proc/PID/task/TID/stat of the process's thread named `name`, or -1 if it
// has none: 19 is the nice value, 41 the scheduling policy.
int thread_stat_field(pid_t pid, const std::string& name, int number) {
    const pid_t tid = thread_named(pid, name);
    if (tid < 0) return -1;
    std::string stat;
    std::getline(
        std::ifstream("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/stat"),
        stat);
    // Fields after the command name, which ends at the last ')', start with field 3.
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    for (int at = 3; fields >> field; ++at) {
        if (at == number) return std::stoi(field);
    }
    return -1;
}

int thread_policy(pid_t pid, const std::string& name) {
    return thread_stat_field(pid, name, 41);
}

int thread_nice(pid_t pid, const std::string& name) {
    return thread_stat_field(pid, name, 19);
}

// The I/O priority (ioprio_get) of the process's thread named `name`, or -1.
int thread_io_priority(pid_t pid, const std::string& name) {
    const pid_t tid = thread_named(pid, name);
    if (tid < 0) return -1;
    return static_cast<int>(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, tid));
}

// Normal-priority threads that keep every CPU busy until stopped: beside them a SCHED_IDLE
// thread gets about 0.3 % of a CPU.
class CpuHogs {
public:
    CpuHogs() {
        const unsigned cpus = std::max(1U, std::thread::hardware_concurrency());
        for (unsigned i = 0; i < cpus; ++i) {
            threads_.emplace_back([this] {
                while (!stopping_.load(std::memory_order_relaxed)) {
                }
            });
        }
    }
    ~CpuHogs() { stop(); }
    CpuHogs(const CpuHogs&) = delete;
    CpuHogs& operator=(const CpuHogs&) = delete;
    void stop() {
        stopping_ = true;
        for (std::thread& thread : threads_) {
            if (thread.joinable()) thread.join();
        }
    }

private:
    std::atomic<bool> stopping_{false};
    std::vector<std::thread> threads_;
};

// A client that asks for a snapshot and then reads nothing, with a receive buffer as small as
// the kernel allows: the store's stream stalls on it and keeps its slot until close().
class StalledReader {
public:
    StalledReader(unsigned short port, const std::string& list) : socket_(io_) {
        namespace asio = boost::asio;
        socket_.open(asio::ip::tcp::v4());
        // Not inherited by the daemons the test starts after it: close() must end the
        // connection.
        ::fcntl(socket_.native_handle(), F_SETFD, FD_CLOEXEC);
        socket_.set_option(asio::socket_base::receive_buffer_size(4096));
        socket_.connect({asio::ip::make_address("127.0.0.1"), port});
        const std::string request = "GET /api/v1/replication/snapshot?list=" + list +
                                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " +
                                    basic_authorization("admin", "admin") + "\r\n\r\n";
        asio::write(socket_, asio::buffer(request));
    }
    void close() {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

private:
    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
};

// A sample of the store's /metrics, e.g. `piotd_replication_snapshot_streams`, or -1.
double metric(unsigned short port, const std::string& sample) {
    HttpClient client(port);
    const std::string text = client.get("/metrics").body;
    const auto at = text.find("\n" + sample + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + sample.size() + 2));
}

bool same_lists(Till& till, FakeUpstream& fake) {
    auto client = till.client();
    for (const std::string& list : kLists) {
        if (served_items(client, list) != fake.items(list)) return false;
    }
    return true;
}

}  // namespace

TEST_SUITE("integration.replication") {
    TEST_CASE("a till starts in initialization and reaches ready after its first full sync") {
        FakeUpstream fake({"--cis", "20000", "--gtin", "500"});
        Till till(fake.url());
        // REQUIRE: without `ready` the counts below are "unknown", not numbers.
        REQUIRE(eventually([&] { return till.status() == "ready"; }, 60s));
        const auto status = parse(till.client().get("/api/v1/status").body);
        for (const char* list : {"blocked_cis", "blocked_gtin"}) {
            REQUIRE(status["replicationStatus"][list]["localDocCount"].IsUint64());
            REQUIRE(status["replicationStatus"][list]["serverDocCount"].IsUint64());
        }
        CHECK(status["replicationStatus"]["blocked_cis"]["localDocCount"].GetUint64() == 20000);
        CHECK(status["replicationStatus"]["blocked_cis"]["serverDocCount"].GetUint64() == 20000);
        CHECK(status["replicationStatus"]["blocked_gtin"]["localDocCount"].GetUint64() == 500);
        CHECK(status["replicationStatus"]["blocked_cis"]["timeLag"].IsInt64());
        CHECK(std::string(status["serviceUrl"].GetString()) == fake.url());
        CHECK(same_lists(till, fake));
        const std::string listed = fake.items("blocked_cis").at(1234);
        CHECK(till.blocked(listed));
        // Loads run at SCHED_IDLE, so a check never waits behind an ingest (docs/replication.md).
        // Eventually: on a busy test machine the load may have been starved and lifted.
        CHECK(eventually(
            [&] { return thread_policy(till.process->pid(), "piotd-replicate") == SCHED_IDLE; },
            10s));
        // Its disk writes best effort, level 7: not the idle I/O class SCHED_IDLE implies.
        CHECK(thread_io_priority(till.process->pid(), "piotd-replicate") ==
              IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 7));
    }

    TEST_CASE("an upstream that does not serve learned (an older piotd): the till is ready") {
        // The fake upstream answers 400 for a list it does not know, like a piotd from before
        // `learned`: the till goes without it, and nothing else notices.
        FakeUpstream fake({"--cis", "2000", "--gtin", "50"});
        Till till(fake.url());
        REQUIRE(eventually([&] { return till.status() == "ready"; }, 60s));
        CHECK(eventually([&] { return same_lists(till, fake); }, 10s));
        const auto status = parse(till.client().get("/api/v1/status").body);
        CHECK_FALSE(status.HasMember("lastError"));
        const auto& learned = status["replicationStatus"]["learned"];
        CHECK(std::string(learned["serverDocCount"].GetString()) == "unknown");
        CHECK(learned["localDocCount"].GetUint64() == 0);
        const std::int64_t synced_before =
            parse(till.client().get("/api/v1/status").body)["lastSync"].GetInt64();
        // Rounds keep succeeding (lastSync moves), and the absence is logged once, not per round.
        CHECK(eventually(
            [&] {
                return parse(till.client().get("/api/v1/status").body)["lastSync"].GetInt64() >
                       synced_before;
            },
            10s));
        const std::string log = till.process->log();
        const std::string line = "learned: the upstream does not serve this list";
        REQUIRE(log.find(line) != std::string::npos);
        CHECK(log.find(line, log.find(line) + 1) == std::string::npos);
    }

    TEST_CASE("a load starved at SCHED_IDLE is lifted to SCHED_BATCH, raised, and lowered") {
        FakeUpstream fake({"--cis", "50000", "--gtin", "50"});
        const auto policy = [](Till& till) {
            return thread_policy(till.process->pid(), "piotd-replicate");
        };
        const auto nice = [](Till& till) {
            return thread_nice(till.process->pid(), "piotd-replicate");
        };
        auto hogs = std::make_unique<CpuHogs>();
        Till till(fake.url());
        // Three one-second readings of a thread that waits for the CPU, then the watch lifts it.
        CHECK(eventually([&] { return policy(till) == SCHED_BATCH; }, 30s));
        CHECK(till.status() == "initialization");
        // Normal-priority hogs starve it at nice 19 too: three seconds later it is raised.
        CHECK(eventually([&] { return nice(till) <= 10 || till.status() == "ready"; }, 30s));
        hogs.reset();
        REQUIRE(eventually([&] { return till.status() == "ready"; }, 60s));
        CHECK(eventually([&] { return policy(till) == SCHED_IDLE && nice(till) == 19; }, 10s));
        CHECK(same_lists(till, fake));
        const std::string log = till.process->log();
        CHECK(log.find("the replication thread is starved at SCHED_IDLE") != std::string::npos);
        CHECK(log.find("the replication thread is still starved at SCHED_BATCH") !=
              std::string::npos);
        CHECK(log.find("; nice 10") != std::string::npos);
        CHECK(log.find("the replication thread is back at SCHED_IDLE") != std::string::npos);
        // Counted for the fleet's dashboards.
        const std::string metrics = till.client().get("/metrics").body;
        const auto at = metrics.find("\npiotd_replication_starved_total ");
        REQUIRE(at != std::string::npos);
        CHECK(std::stoi(metrics.substr(at + 33)) >= 1);
    }

    TEST_CASE("adds and removes upstream reach checks within a poll period") {
        FakeUpstream fake({"--cis", "5000", "--gtin", "50"});
        Till till(fake.url());
        REQUIRE(eventually([&] { return till.status() == "ready"; }));
        const std::string fresh = "0104600000000017215NewlyBlocked";
        CHECK(!till.blocked(fresh));
        const auto db_version = [&] {
            return std::string(
                parse(till.client().get("/api/v1/status").body)["dbVersion"].GetString());
        };
        const std::string version_before = db_version();
        CHECK(fake.control("/control/add?list=blocked_cis", fresh + "\n").status == 200);
        CHECK(eventually([&] { return till.blocked(fresh); }, 5s));
        // dbVersion moves with every committed change, deltas included.
        CHECK(eventually([&] { return db_version() != version_before; }, 5s));
        const std::string old = fake.items("blocked_cis").front();
        CHECK(till.blocked(old));
        CHECK(fake.control("/control/remove?list=blocked_cis", old + "\n").status == 200);
        CHECK(eventually([&] { return !till.blocked(old); }, 5s));
        CHECK(eventually([&] { return same_lists(till, fake); }, 5s));
    }

    TEST_CASE("a new epoch upstream makes the till load a fresh snapshot") {
        FakeUpstream fake({"--cis", "3000", "--gtin", "30"});
        Till till(fake.url());
        REQUIRE(eventually([&] { return till.status() == "ready"; }));
        CHECK(fake.control("/control/add?list=blocked_gtin", "04600000000024\n").status == 200);
        CHECK(fake.control("/control/reset?list=blocked_gtin").status == 200);
        CHECK(eventually([&] { return same_lists(till, fake); }, 10s));
        CHECK(till.status() == "ready");
    }

    TEST_CASE("kill -9 at random points of snapshots and deltas: the lists end equal to upstream") {
        FakeUpstream fake({"--cis", "30000", "--gtin", "300", "--seed", "7"});
        // Slow chunks stretch the snapshot so the kills land inside it.
        fake.control("/control/fault",
                     R"({"mode":"slow","delay_ms":40,"paths":"snapshot","count":-1})");
        Till till(fake.url());
        std::mt19937 rng(12345);
        int kills = 0;
        // The first kill lands as soon as a batch is committed, so at least one load is
        // resumed however slowly a loaded machine runs the till (at SCHED_IDLE it may not
        // commit a batch within any fixed delay).
        REQUIRE(eventually([&] { return till.loading("blocked_cis") > 0; }, 60s));
        till.process->kill_hard();
        till.start();
        ++kills;
        // 11 more while the snapshot (and its resumptions) load. Each waits for the till to be
        // streaming again (or done) first, so a slow start does not eat the random delay that
        // should fall inside the snapshot.
        for (int i = 0; i < 11; ++i) {
            const std::uint64_t streamed = fake.stat("itemsStreamed");
            CHECK(eventually(
                [&] { return fake.stat("itemsStreamed") > streamed || till.status() == "ready"; },
                30s));
            std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 700));
            till.process->kill_hard();
            ++kills;
            till.start();
        }
        fake.control("/control/fault", R"({"mode":"none"})");
        // The kills did land inside snapshots: some loads were resumed after an item.
        CHECK(fake.stat("snapshotsResumed") >= 1);
        // 8 kills while pages of changes are applied.
        for (int i = 0; i < 8; ++i) {
            std::string adds;
            for (int j = 0; j < 300; ++j) {
                adds += "01046000000000" + std::to_string(10 + i) + "21Kill" + std::to_string(i) +
                        "x" + std::to_string(j) + "\n";
            }
            CHECK(fake.control("/control/add?list=blocked_cis", adds).status == 200);
            std::string removes;
            const auto current = fake.items("blocked_cis");
            for (int j = 0; j < 100; ++j) removes += current[(rng() % current.size())] + "\n";
            fake.control("/control/remove?list=blocked_cis", removes);
            std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 1200));
            till.process->kill_hard();
            ++kills;
            till.start();
        }
        CHECK(kills >= 20);
        // What is asserted is that the lists converge, not how fast. The replication thread
        // runs at SCHED_IDLE: beside two busy loops this case took 153 s instead of 23 s. A CI
        // run once failed the 60 s wait here (not reproduced locally, idle or loaded). A till
        // that never converges still fails.
        CHECK(eventually([&] { return till.status() == "ready" && same_lists(till, fake); }, 180s));
    }

    TEST_CASE(
        "a snapshot interrupted by kill -9 and replaced upstream meanwhile is loaded afresh") {
        FakeUpstream fake({"--cis", "20000", "--gtin", "100", "--seed", "9"});
        // Every snapshot answer ends without its trailer after ~40 KB (about 1,000 items, two
        // committed batches of 500), so the till resumes blocked_cis a little further each
        // round. A resumed request proves the till has snapshot progress on disk when it is
        // killed, however slowly a loaded machine runs it. (A fixed sleep did not: in one CI run
        // no batch was committed within 500 ms, and the restart loaded afresh, not resumed.)
        fake.control("/control/fault",
                     R"({"mode":"truncate","after_bytes":40000,"paths":"snapshot","count":-1})");
        Till till(fake.url());
        REQUIRE(eventually([&] { return fake.stat("snapshotsResumed") >= 1; }, 60s));
        till.process->kill_hard();
        fake.control("/control/add?list=blocked_cis", "0104600000000062215AfterKill001\n");
        CHECK(fake.control("/control/reset?list=blocked_cis").status == 200);
        fake.control("/control/fault", R"({"mode":"none"})");
        till.start();
        CHECK(eventually([&] { return till.status() == "ready" && same_lists(till, fake); }, 30s));
        CHECK(till.blocked("0104600000000062215AfterKill001"));
        CHECK(till.process->log().find("changed epoch during a resumed snapshot") !=
              std::string::npos);
    }

    TEST_CASE("upstream gone for 72 hours: sync_error (4050), then recovery") {
        TempDir clock_dir;
        const auto clock_file = clock_dir.path() / "offset";
        std::ofstream(clock_file) << 0;
        FakeUpstream fake({"--cis", "2000", "--gtin", "20"});
        Till till(fake.url(), {{"PIOTD_TEST_CLOCK_FILE", clock_file.string()}});
        REQUIRE(eventually([&] { return till.status() == "ready"; }));
        const std::string listed = fake.items("blocked_cis").front();

        fake.process->kill_hard();
        std::ofstream(clock_file) << 73LL * 3600 * 1000;
        CHECK(eventually([&] { return till.status() == "sync_error"; }, 5s));
        auto client = till.client();
        const auto refused = client.get("/api/v1/cis/check?cis=" + url_encode(listed));
        CHECK(refused.status == 400);
        CHECK(parse(refused.body)["errorCode"].GetInt() == 4050);

        fake.start();
        CHECK(eventually([&] { return till.status() == "ready"; }, 20s));
        CHECK(till.blocked(listed));
    }

    TEST_CASE("garbage or errors from upstream never touch the data already served") {
        FakeUpstream fake({"--cis", "2000", "--gtin", "20"});
        Till till(fake.url());
        REQUIRE(eventually([&] { return till.status() == "ready"; }));
        const std::string listed = fake.items("blocked_cis").front();
        for (const char* fault : {R"({"mode":"garbage","paths":"all","count":-1})",
                                  R"({"mode":"status","status":500,"paths":"all","count":-1})",
                                  R"({"mode":"status","status":429,"paths":"all","count":-1})",
                                  R"({"mode":"drop","after_bytes":10,"paths":"all","count":-1})"}) {
            CAPTURE(fault);
            fake.control("/control/fault", fault);
            fake.control("/control/add?list=blocked_cis", "0104600000000031215GarbageTime\n");
            std::this_thread::sleep_for(1500ms);
            CHECK(till.status() == "ready");
            CHECK(till.blocked(listed));
            CHECK(till.client().get("/api/v1/replication/state").status == 200);
            fake.control("/control/remove?list=blocked_cis", "0104600000000031215GarbageTime\n");
        }
        fake.control("/control/fault", R"({"mode":"none"})");
        CHECK(eventually([&] { return same_lists(till, fake); }, 10s));
        CHECK(till.process->log().find("replication") != std::string::npos);
    }

    TEST_CASE("a stalled upstream is dropped after the timeout; checks go on; sync resumes") {
        FakeUpstream fake({"--cis", "3000", "--gtin", "30"});
        Till till(fake.url(), {}, "timeout_ms = 1000\n");
        REQUIRE(eventually([&] { return till.status() == "ready"; }));
        const std::string listed = fake.items("blocked_cis").front();
        const std::string fresh = "0104600000000031215StalledTime1";
        // Every answer now stalls for 60 s, far beyond the till's 1 s timeout: the connection
        // is accepted, then nothing comes.
        fake.control("/control/fault", R"({"mode":"slow","delay_ms":60000,"paths":"all"})");
        fake.control("/control/add?list=blocked_cis", fresh + "\n");
        for (int i = 0; i < 6; ++i) {
            std::this_thread::sleep_for(500ms);
            const auto started = std::chrono::steady_clock::now();
            CHECK(till.blocked(listed));
            CHECK(!till.blocked(fresh));
            CHECK(std::chrono::steady_clock::now() - started < 500ms);
            CHECK(till.status() == "ready");
        }
        CHECK(till.process->log().find("timed out") != std::string::npos);
        fake.control("/control/fault", R"({"mode":"none"})");
        CHECK(eventually([&] { return till.blocked(fresh); }, 15s));
        // A sync stalled in the middle of a read does not hold up a stop.
        fake.control("/control/fault", R"({"mode":"slow","delay_ms":60000,"paths":"all"})");
        std::this_thread::sleep_for(1500ms);
        const auto stopping = std::chrono::steady_clock::now();
        CHECK(till.process->stop() == 0);
        CHECK(std::chrono::steady_clock::now() - stopping < 3s);
    }

    TEST_CASE("a snapshot cut mid-stream or without its trailer is not loaded") {
        FakeUpstream fake({"--cis", "4000", "--gtin", "40"});
        fake.control("/control/fault", R"({"mode":"truncate","paths":"snapshot","count":-1})");
        Till till(fake.url());
        std::this_thread::sleep_for(2s);
        CHECK(till.status() == "initialization");
        fake.control("/control/fault", R"({"mode":"none"})");
        CHECK(eventually([&] { return till.status() == "ready" && same_lists(till, fake); }, 20s));
    }

    TEST_CASE(
        "a till replicates from a store piotd over https; an unknown certificate is refused") {
        TempDir store_dir;
        make_test_pki(store_dir.path().string());
        const auto store_port = free_port();
        const auto tls_port = free_port();
        const std::string store_data = (store_dir.path() / "data").string();
        const auto pki = [&](const char* name) { return (store_dir.path() / name).string(); };
        std::ofstream(store_dir.path() / "store.conf")
            << "[server]\ntls_listen = 127.0.0.1:" << tls_port
            << "\ntls_cert_file = " << pki("server.pem") << "\ntls_key_file = " << pki("server.key")
            << "\n";
        DaemonProcess store({"--demo", "--config", pki("store.conf"), "--data-dir", store_data,
                             "--listen", "127.0.0.1:" + std::to_string(store_port)},
                            store_port);
        std::string codes;
        for (int i = 0; i < 2000; ++i)
            codes += "0104600000000048215Tls" + std::to_string(100000 + i) + "\n";
        REQUIRE(run_piotd(
                    {"import", "--data-dir", store_data, "--list", "blocked_cis", "--append", "-"},
                    {}, codes)
                    .exit_code == 0);
        const std::string url = "https://127.0.0.1:" + std::to_string(tls_port);
        // Without the chain's CA the store's certificate is not trusted: nothing crosses.
        Till stranger(url);
        // With it (--ca-file, here from the config file): ready, with the store's lists.
        Till till(url, {}, "[trueapi]\nca_file = " + pki("ca.pem") + "\n");
        HttpClient store_client(store_port);
        auto till_client = till.client();
        const auto identical = [&] {
            for (const std::string& list : kLists) {
                if (served_items(till_client, list) != served_items(store_client, list))
                    return false;
            }
            return true;
        };
        CHECK(eventually([&] { return till.status() == "ready" && identical(); }));
        CHECK(served_items(till_client, "blocked_cis").size() == 2008);
        CHECK(stranger.status() == "initialization");
        CHECK(stranger.process->log().find("certificate verify failed") != std::string::npos);
    }

    TEST_CASE("a till replicating from a store piotd ends with identical lists") {
        TempDir store_dir;
        const auto store_port = free_port();
        const std::string store_data = (store_dir.path() / "data").string();
        DaemonProcess store({"--demo", "--data-dir", store_data, "--listen",
                             "127.0.0.1:" + std::to_string(store_port)},
                            store_port);
        std::string codes;
        for (int i = 0; i < 3000; ++i)
            codes += "0104600000000048215Store" + std::to_string(100000 + i) + "\n";
        REQUIRE(run_piotd(
                    {"import", "--data-dir", store_data, "--list", "blocked_cis", "--append", "-"},
                    {}, codes)
                    .exit_code == 0);
        Till till("http://127.0.0.1:" + std::to_string(store_port));
        HttpClient store_client(store_port);
        auto till_client = till.client();
        const auto identical = [&] {
            for (const std::string& list : kLists) {
                if (served_items(till_client, list) != served_items(store_client, list))
                    return false;
            }
            return true;
        };
        CHECK(eventually([&] { return till.status() == "ready" && identical(); }));
        CHECK(served_items(till_client, "blocked_cis").size() == 3008);
        // A delta on the store reaches the till.
        REQUIRE(run_piotd(
                    {"import", "--data-dir", store_data, "--list", "blocked_cis", "--append", "-"},
                    {}, "0104600000000055215StoreDelta01\n")
                    .exit_code == 0);
        CHECK(eventually([&] { return till.blocked("0104600000000055215StoreDelta01"); }, 10s));
        CHECK(eventually(identical, 10s));
    }

    TEST_CASE("a code learned on the store is blocked on its tills within the sync period") {
        TempDir store_dir;
        const auto store_port = free_port();
        const std::string store_data = (store_dir.path() / "data").string();
        DaemonProcess store({"--demo", "--data-dir", store_data, "--listen",
                             "127.0.0.1:" + std::to_string(store_port)},
                            store_port);
        Till till("http://127.0.0.1:" + std::to_string(store_port));
        REQUIRE(eventually([&] { return till.status() == "ready"; }, 60s));
        const std::string code = "0104600000000055215Learned01";
        CHECK_FALSE(till.blocked(code));
        // What the daemon does when the store's LM or the True API says BLOCKED, here from
        // another process: the running store picks it up like any import.
        const RunResult imported =
            run_piotd({"import", "--data-dir", store_data, "--list", "learned", "--append", "-"},
                      {}, code + "\x1d" + "93dGVz\n");
        REQUIRE_MESSAGE(imported.exit_code == 0, imported.output);
        CHECK(imported.output.find("learned: 1 items loaded") != std::string::npos);
        HttpClient store_client(store_port);
        CHECK(eventually([&] {
            const auto reply = store_client.get("/api/v1/cis/check?cis=" + url_encode(code));
            return reply.status == 200 && parse(reply.body)["codes"][0]["isBlocked"].GetBool();
        }));
        // The till's sync period is a second: the change log carries it over.
        CHECK(eventually([&] { return till.blocked(code); }, 10s));
        CHECK_FALSE(till.blocked("0104600000000055215Learned02"));
        CHECK(served_items(store_client, "learned") == std::vector<std::string>{code});
        auto till_client = till.client();
        CHECK(served_items(till_client, "learned") == std::vector<std::string>{code});
        const auto status = parse(till_client.get("/api/v1/status").body);
        CHECK(std::string(status["status"].GetString()) == "ready");
        CHECK(status["replicationStatus"]["learned"]["localDocCount"].GetUint64() == 1);
        CHECK(status["replicationStatus"]["learned"]["serverDocCount"].GetUint64() == 1);
        // The till serves it on in turn (a till of a till).
        const auto state = parse(till_client.get("/api/v1/replication/state").body);
        CHECK(state["lists"]["learned"]["docCount"].GetUint64() == 1);
    }

    TEST_CASE("10,000 learned blocks reach a till within one sync period") {
        TempDir store_dir;
        const auto store_port = free_port();
        const std::string store_data = (store_dir.path() / "data").string();
        DaemonProcess store({"--demo", "--data-dir", store_data, "--listen",
                             "127.0.0.1:" + std::to_string(store_port)},
                            store_port);
        Till till("http://127.0.0.1:" + std::to_string(store_port));
        REQUIRE(eventually([&] { return till.status() == "ready"; }, 60s));
        std::vector<std::string> codes;
        std::string text;
        for (int i = 0; i < 10'000; ++i) {
            codes.push_back("0104600000000048215Lrn" + std::to_string(100000 + i));
            text += codes.back() + "\n";
        }
        REQUIRE(
            run_piotd({"import", "--data-dir", store_data, "--list", "learned", "--append", "-"},
                      {}, text)
                .exit_code == 0);
        // A period is a second; the bound only keeps a slow (sanitised) build from failing.
        const auto learned_count = [&] {
            const auto status = parse(till.client().get("/api/v1/status").body);
            const auto& entry = status["replicationStatus"]["learned"]["localDocCount"];
            return entry.IsUint64() ? entry.GetUint64() : 0;
        };
        REQUIRE(eventually([&] { return learned_count() == 10'000; }, 60s));
        for (const std::size_t i : {0UL, 1234UL, 5000UL, 9999UL}) CHECK(till.blocked(codes[i]));
        CHECK_FALSE(till.blocked("0104600000000048215Lrn999999"));
        HttpClient store_client(store_port);
        auto till_client = till.client();
        CHECK(served_items(till_client, "learned") == served_items(store_client, "learned"));
        CHECK(till.status() == "ready");
    }

    TEST_CASE("a till waits what the upstream's Retry-After asks, not its own backoff") {
        FakeUpstream fake({"--cis", "2000", "--gtin", "20"});
        // The first snapshot request is refused as busy for 3 s. After a failed round the till's
        // own backoff would wait under a second (its sync period is 1 s).
        fake.control("/control/fault", R"({"mode":"status","status":503,"retry_after_s":3,)"
                                       R"("paths":"snapshot","count":1})");
        Till till(fake.url());
        REQUIRE(eventually([&] { return till.status() == "ready"; }, 60s));
        CHECK(same_lists(till, fake));
        HttpClient client(fake.port);
        const auto stats = parse(client.request("GET", "/control/stats", {}, "").body);
        const auto& times = stats["snapshotRequestMs"];
        REQUIRE(times.Size() >= 2);
        CHECK(stats["faulted"].GetUint64() == 1);
        // On the fake's own clock: the second request came at least 3 s after the refused one.
        CHECK(times[1].GetInt64() - times[0].GetInt64() >= 3000);
        const std::string log = till.process->log();
        CHECK(log.find("the upstream is busy (HTTP 503), it asks to retry after 3 s") !=
              std::string::npos);
        // Busy is not an error of the module: no lastError.
        CHECK_FALSE(parse(till.client().get("/api/v1/status").body).HasMember("lastError"));
    }

    TEST_CASE("a store at its bound of snapshot streams answers 503; its till waits, then loads") {
        TempDir store_dir;
        const auto store_port = free_port();
        const std::string store_data = (store_dir.path() / "data").string();
        // One stream at a time; a stalled one keeps its slot for up to a minute (write timeout).
        std::ofstream(store_dir.path() / "store.conf") << "[server]\nwrite_timeout_ms = 60000\n";
        // Larger than the kernel lets a socket buffer hold (tcp_wmem's maximum: 4 MiB by default,
        // about 3 MB of data) with room to spare, so the stream cannot end inside the buffers:
        // 38 bytes a line.
        std::size_t wmem_max = 4u << 20;
        {
            std::ifstream wmem("/proc/sys/net/ipv4/tcp_wmem");
            std::size_t low = 0;
            std::size_t initial = 0;
            if (wmem >> low >> initial >> wmem_max) wmem_max = std::max<std::size_t>(wmem_max, 1);
        }
        const std::size_t items = std::max<std::size_t>(100'000, (wmem_max + (1u << 20)) / 38);
        std::string codes;
        for (std::size_t i = 0; i < items; ++i) {
            codes += "0104600000000048215Fan" + std::to_string(1'000'000 + i) + "\n";
        }
        REQUIRE(
            run_piotd({"import", "--data-dir", store_data, "--list", "blocked_cis", "-"}, {}, codes)
                .exit_code == 0);
        DaemonProcess store(
            {"--demo", "--config", (store_dir.path() / "store.conf").string(), "--data-dir",
             store_data, "--listen", "127.0.0.1:" + std::to_string(store_port),
             "--max-snapshot-streams", "1"},
            store_port);
        StalledReader holder(store_port, "blocked_cis");
        REQUIRE(eventually(
            [&] { return metric(store_port, "piotd_replication_snapshot_streams") == 1; }, 30s));
        HttpClient store_client(store_port);
        const auto refused = store_client.get("/api/v1/replication/snapshot?list=blocked_gtin");
        CHECK(refused.status == 503);
        CHECK(parse(refused.body)["errorCode"].GetInt() == 5034);
        REQUIRE(refused.headers.count("retry-after") == 1);
        CHECK(std::stoi(refused.headers.at("retry-after")) >= 1);
        // Pages of changes are not held up by the snapshot streams.
        CHECK(store_client.get("/api/v1/replication/changes?list=blocked_gtin&epoch=x&since=0")
                  .status == 410);

        Till till("http://127.0.0.1:" + std::to_string(store_port));
        CHECK(eventually(
            [&] {
                return till.process->log().find("the upstream is busy (HTTP 503)") !=
                       std::string::npos;
            },
            50s));
        CHECK(till.status() == "initialization");
        holder.close();
        REQUIRE(eventually(
            [&] { return metric(store_port, "piotd_replication_snapshot_streams") == 0; }, 30s));
        auto till_client = till.client();
        // Retry-After may be long (the held stream's rate says little about when it ends): an
        // operator's "sync now" starts the next round at once instead.
        CHECK(till_client.post("/api/v1/replication/sync", "").status < 300);
        const auto in_step = [&] {
            const auto status = parse(till_client.get("/api/v1/status").body);
            if (std::string(status["status"].GetString()) != "ready") return false;
            for (const std::string& list : kLists) {
                const auto& entry = status["replicationStatus"][list.c_str()];
                if (!entry["localDocCount"].IsUint64() || !entry["serverDocCount"].IsUint64() ||
                    entry["localDocCount"].GetUint64() != entry["serverDocCount"].GetUint64()) {
                    return false;
                }
            }
            return true;
        };
        REQUIRE(eventually(in_step, 120s));
        for (const std::string& list : kLists) {
            CAPTURE(list);
            CHECK(served_items(till_client, list) == served_items(store_client, list));
        }
        CHECK(metric(store_port, "piotd_replication_refused_total{request=\"snapshot\"}") >= 2);
        CHECK(metric(store_port, "piotd_replication_snapshot_streams") == 0);
    }
}
