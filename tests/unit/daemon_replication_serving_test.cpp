// Serving replication to many tills (docs/replication.md, "Serving many tills at once"): bodies
// made on the serving workers through the real HttpServer, the bound on snapshot streams and its
// Retry-After estimate, the bound on pages of changes, the till's reading of Retry-After, and the
// [replication] key.
#include <doctest/doctest.h>
#include <pthread.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

#include "daemon/command_line.hpp"
#include "daemon/config.hpp"
#include "daemon/http/router.hpp"
#include "daemon/http/server.hpp"
#include "daemon/replication/replication_serving.hpp"
#include "daemon/replication/retry_after.hpp"
#include "daemon/replication/stream_slots.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/streamed_fetch.hpp"

using namespace piotd::daemon;
using piotd::test::eventually;
namespace asio = boost::asio;
namespace beast = boost::beast;
using namespace std::chrono_literals;

namespace {

// A gate the test opens: a source waits at it on a serving worker.
class Gate {
public:
    void open() {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        changed_.notify_all();
    }
    void pass() {
        std::unique_lock lock(mutex_);
        waiting_ = true;
        changed_.notify_all();
        changed_.wait(lock, [this] { return open_; });
    }
    bool someone_waits() {
        std::lock_guard lock(mutex_);
        return waiting_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool open_ = false;
    bool waiting_ = false;
};

// Lines "line 0\n" ... "line N-1\n"; optionally fails at a line, waits at a gate before its
// first piece, and says when it is destroyed and on which thread it made its pieces.
class LineSource : public ChunkSource {
public:
    LineSource(int lines, int fail_at = -1, Gate* gate = nullptr,
               std::atomic<bool>* destroyed = nullptr, std::atomic<bool>* on_io_thread = nullptr)
        : lines_(lines),
          fail_at_(fail_at),
          gate_(gate),
          destroyed_(destroyed),
          on_io_thread_(on_io_thread) {}
    ~LineSource() override {
        if (destroyed_ != nullptr) *destroyed_ = true;
    }
    bool next(std::string& out, std::size_t budget) override {
        if (gate_ != nullptr) {
            gate_->pass();
            gate_ = nullptr;
        }
        if (on_io_thread_ != nullptr) {
            char name[16] = {};
            pthread_getname_np(pthread_self(), name, sizeof name);
            if (std::string(name) != "piotd-replserve") *on_io_thread_ = true;
        }
        while (out.size() < budget && index_ < lines_) {
            if (index_ == fail_at_) throw std::runtime_error("source failed");
            out += "line " + std::to_string(index_++) + "\n";
        }
        return index_ < lines_;
    }

private:
    int lines_;
    int fail_at_;
    Gate* gate_;
    std::atomic<bool>* destroyed_;
    std::atomic<bool>* on_io_thread_;
    int index_ = 0;
};

using piotd::test::fetch;
using piotd::test::Fetched;

Reply streamed(std::unique_ptr<ChunkSource> body) {
    Response head{http::status::ok, 11};
    head.set(http::field::content_type, "application/x-ndjson");
    return Reply(std::move(head), std::move(body));
}

std::filesystem::path write_temp(const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("piotd-serving-test-" + std::to_string(std::rand()) + ".conf");
    std::ofstream(path) << text;
    return path;
}

}  // namespace

TEST_SUITE("daemon.replication_serving") {
    TEST_CASE("a body made on the serving workers arrives whole; a failing one is cut") {
        ReplicationServing serving({.piece_bytes = 4096});
        serving.start(nullptr);
        std::atomic<bool> on_io_thread{false};
        Router router(BasicAuth("admin", "admin"));
        router.add(http::verb::get, "/stream", [&](const RequestContext&) {
            return streamed(serving.in_background(
                std::make_unique<LineSource>(100'000, -1, nullptr, nullptr, &on_io_thread)));
        });
        router.add(http::verb::get, "/broken", [&](const RequestContext&) {
            return streamed(serving.in_background(std::make_unique<LineSource>(100'000, 50'000)));
        });
        ServerLimits limits;
        limits.threads = 1;
        HttpServer server({asio::ip::make_address("127.0.0.1"), 0}, limits, router);
        server.start();
        const auto port = server.local_endpoint().port();

        const Fetched whole = fetch(port, "/stream");
        CHECK(whole.complete);
        CHECK(whole.chunked);
        CHECK(whole.body.starts_with("line 0\n"));
        CHECK(whole.body.ends_with("line 99999\n"));
        CHECK(std::count(whole.body.begin(), whole.body.end(), '\n') == 100'000);
        // Every piece was made on a serving worker, none on the I/O thread.
        CHECK_FALSE(on_io_thread.load());

        CHECK_FALSE(fetch(port, "/broken").complete);

        const Fetched old = fetch(port, "/stream", 10);
        CHECK(old.complete);
        CHECK_FALSE(old.chunked);
        CHECK(std::count(old.body.begin(), old.body.end(), '\n') == 100'000);
        serving.stop();
        server.stop();
    }

    TEST_CASE("while a worker makes a piece, the I/O thread answers other requests") {
        ReplicationServing serving({.threads = 1});
        serving.start(nullptr);
        Gate gate;
        Router router(BasicAuth("admin", "admin"));
        router.add(http::verb::get, "/stream", [&](const RequestContext&) {
            return streamed(serving.in_background(std::make_unique<LineSource>(1000, -1, &gate)));
        });
        router.add(http::verb::get, "/ping", [](const RequestContext&) {
            return Response{http::status::no_content, 11};
        });
        ServerLimits limits;
        limits.threads = 1;  // the stream and the ping share the one I/O thread
        HttpServer server({asio::ip::make_address("127.0.0.1"), 0}, limits, router);
        server.start();
        const auto port = server.local_endpoint().port();

        Fetched streamed_body;
        std::thread client([&] { streamed_body = fetch(port, "/stream"); });
        REQUIRE(eventually([&] { return gate.someone_waits(); }, 30s));
        // The worker is held at the gate with the stream's first piece: the connection is
        // parked, and the I/O thread is free.
        CHECK(fetch(port, "/ping").status == 204);
        gate.open();
        client.join();
        CHECK(streamed_body.complete);
        CHECK(std::count(streamed_body.body.begin(), streamed_body.body.end(), '\n') == 1000);
        serving.stop();
        server.stop();
    }

    TEST_CASE("a client that goes away releases its stream's source") {
        ReplicationServing serving({.piece_bytes = 1024});
        serving.start(nullptr);
        std::atomic<bool> destroyed{false};
        Router router(BasicAuth("admin", "admin"));
        router.add(http::verb::get, "/stream", [&](const RequestContext&) {
            return streamed(serving.in_background(
                std::make_unique<LineSource>(50'000'000, -1, nullptr, &destroyed)));
        });
        ServerLimits limits;
        limits.threads = 1;
        HttpServer server({asio::ip::make_address("127.0.0.1"), 0}, limits, router);
        server.start();
        {
            asio::io_context io;
            beast::tcp_stream stream(io);
            stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                                   server.local_endpoint().port()));
            beast::http::request<beast::http::empty_body> request{beast::http::verb::get, "/stream",
                                                                  11};
            request.set(beast::http::field::host, "127.0.0.1");
            request.set(beast::http::field::authorization, "Basic YWRtaW46YWRtaW4=");
            beast::http::write(stream, request);
            beast::flat_buffer buffer;
            beast::http::response_parser<beast::http::buffer_body> parser;
            beast::http::read_header(stream, buffer, parser);
            CHECK(parser.get().result_int() == 200);
        }  // closed with most of the body unsent
        CHECK(eventually([&] { return destroyed.load(); }, 30s));
        serving.stop();
        server.stop();
    }

    TEST_CASE("snapshot streams past the bound are refused, with Retry-After") {
        ReplicationServing serving({.max_snapshot_streams = 2});
        auto first = serving.open_stream();
        auto second = serving.open_stream();
        REQUIRE(first);
        REQUIRE(second);
        CHECK(serving.active_streams() == 2);
        CHECK_FALSE(serving.open_stream());
        CHECK(serving.refused_streams() == 1);
        const Response busy = serving.streams_busy();
        CHECK(busy.result() == http::status::service_unavailable);
        CHECK(busy.body().find("\"errorCode\":5034") != std::string::npos);
        CHECK(busy.body().find("max_snapshot_streams") != std::string::npos);
        CHECK(std::string(busy[http::field::retry_after]) == "2");  // none measurable yet
        first.reset();
        CHECK(serving.active_streams() == 1);
        CHECK(serving.open_stream());
    }

    TEST_CASE("Retry-After: when the stream nearest its end will end, at its rate so far") {
        StreamSlots slots(3);
        const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
        auto half = slots.try_acquire(t0);
        auto most = slots.try_acquire(t0 + 1s);
        auto young = slots.try_acquire(t0 + 9s);
        REQUIRE(half);
        REQUIRE(most);
        REQUIRE(young);
        CHECK_FALSE(slots.try_acquire(t0 + 10s));
        // Nothing measurable yet: 2 s.
        CHECK(slots.retry_after(t0 + 10s) == 2s);
        half->progress(500, 1000);  // 10 s for half: 10 s to go
        CHECK(slots.retry_after(t0 + 10s) == 10s);
        most->progress(900, 1000);  // 9 s for 90 %: 1 s to go
        CHECK(slots.retry_after(t0 + 10s) == 1s);
        young->progress(1, 1000);  // under 1 %: not counted
        most.reset();
        CHECK(slots.retry_after(t0 + 10s) == 10s);
        half->progress(10, 1000);  // 1 %, 10 s: 990 s to go, cut to 60
        CHECK(slots.retry_after(t0 + 10s) == 60s);
        CHECK(slots.active() == 2);
    }

    TEST_CASE("pages of changes past the bound are refused; the queued ones run") {
        ReplicationServing serving({.max_pending_pages = 2});
        std::atomic<int> ran{0};
        CHECK(serving.post_page([&] { ++ran; }));
        CHECK(serving.post_page([&] { ++ran; }));
        CHECK_FALSE(serving.post_page([&] { ++ran; }));
        CHECK(serving.refused_pages() == 1);
        const Response busy = serving.pages_busy();
        CHECK(busy.result() == http::status::service_unavailable);
        CHECK(std::string(busy[http::field::retry_after]) == "1");
        serving.start(nullptr);
        CHECK(eventually([&] { return ran.load() == 2; }, 30s));
        CHECK(eventually([&] { return serving.post_page([&] { ++ran; }); }, 30s));
        CHECK(eventually([&] { return ran.load() == 3; }, 30s));
        serving.stop();
        CHECK_FALSE(serving.post_page([&] { ++ran; }));
    }

    TEST_CASE("Retry-After on the till's side: delay-seconds, capped, with jitter") {
        CHECK(parse_retry_after("5") == 5s);
        CHECK(parse_retry_after(" 7 ") == 7s);
        CHECK(parse_retry_after("0") == 0s);
        CHECK(parse_retry_after("86400") == kMaxRetryAfter);
        CHECK(parse_retry_after("999999999999") == kMaxRetryAfter);
        CHECK_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
        CHECK_FALSE(parse_retry_after("-1"));
        CHECK_FALSE(parse_retry_after("1.5"));
        CHECK_FALSE(parse_retry_after(""));
        std::mt19937_64 random(42);
        for (int i = 0; i < 1000; ++i) {
            const auto wait = jittered_retry_after(4s, random);
            CHECK(wait >= 4000ms);
            CHECK(wait <= 6000ms);
            const auto at_least = jittered_retry_after(0s, random);
            CHECK(at_least >= 1000ms);
            CHECK(at_least <= 1500ms);
        }
    }

    TEST_CASE("[replication] max_snapshot_streams and --max-snapshot-streams") {
        Config config;
        CHECK(config.max_snapshot_streams == 8);
        const auto path = write_temp("[replication]\nmax_snapshot_streams = 3\n");
        load_config_file(path, config);
        std::filesystem::remove(path);
        CHECK(config.max_snapshot_streams == 3);
        CHECK_THROWS_AS(set_config_value(config, "replication", "max_snapshot_streams", "0"),
                        std::runtime_error);
        CHECK_THROWS_AS(set_config_value(config, "replication", "streams", "4"),
                        std::runtime_error);
        const char* argv[] = {"piotd", "--max-snapshot-streams", "16"};
        const CommandLine line = parse_command_line(3, argv);
        REQUIRE(line.max_snapshot_streams);
        CHECK(*line.max_snapshot_streams == "16");
    }
}
