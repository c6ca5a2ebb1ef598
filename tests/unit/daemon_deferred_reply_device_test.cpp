// A deferred answer (Reply::later) through the real HttpServer: produced on another thread while
// the only I/O thread keeps serving, sent with the request's version, and the keep-alive
// connection reused afterwards.
#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon/http/json_response.hpp"
#include "daemon/http/router.hpp"
#include "daemon/http/server.hpp"

using namespace piotd::daemon;
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

// Holds sinks until release() answers them all from this (non-I/O) thread.
struct SlowDevice {
    std::mutex mutex;
    std::vector<ReplyCompletion> waiting;
    void release() {
        std::vector<ReplyCompletion> sinks;
        {
            std::lock_guard lock(mutex);
            sinks.swap(waiting);
        }
        for (auto& sink : sinks) sink(json_response(http::status::ok, R"({"slow":true})"));
    }
};

struct Connection {
    asio::io_context io;
    beast::tcp_stream stream{io};
    beast::flat_buffer buffer;
    explicit Connection(unsigned short port) {
        stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }
    void send(const std::string& target) {
        beast::http::request<beast::http::empty_body> request{beast::http::verb::get, target, 11};
        request.set(beast::http::field::host, "127.0.0.1");
        request.set(beast::http::field::authorization, "Basic YWRtaW46YWRtaW4=");
        beast::http::write(stream, request);
    }
    beast::http::response<beast::http::string_body> receive() {
        beast::http::response<beast::http::string_body> response;
        beast::http::read(stream, buffer, response);
        return response;
    }
};

}  // namespace

TEST_SUITE("daemon.http") {
    TEST_CASE("a deferred answer comes from another thread; the I/O thread never waits") {
        SlowDevice device;
        Router router(BasicAuth("admin", "admin"));
        router.add(http::verb::get, "/slow", [&device](const RequestContext&) {
            return Reply::later([&device](ReplyCompletion sink) {
                std::lock_guard lock(device.mutex);
                device.waiting.push_back(std::move(sink));
            });
        });
        router.add(http::verb::get, "/fast", [](const RequestContext&) {
            return json_response(http::status::ok, R"({"fast":true})");
        });
        ServerLimits limits;
        limits.threads = 1;
        HttpServer server({asio::ip::make_address("127.0.0.1"), 0}, limits, router);
        server.start();
        const auto port = server.local_endpoint().port();

        Connection slow(port);
        slow.send("/slow");
        // The one I/O thread is free while /slow waits.
        for (int i = 0; i < 3; ++i) {
            Connection fast(port);
            fast.send("/fast");
            CHECK(fast.receive().body() == R"({"fast":true})");
        }
        std::thread releaser([&device] {
            // Wait until the handler has parked /slow's sink, then answer it from here.
            for (int i = 0; i < 500; ++i) {
                {
                    std::lock_guard lock(device.mutex);
                    if (!device.waiting.empty()) break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            device.release();
        });
        const auto first = slow.receive();
        releaser.join();
        CHECK(first.result() == http::status::ok);
        CHECK(first.version() == 11);
        CHECK(first.body() == R"({"slow":true})");
        // Keep-alive: the same connection serves the next request.
        slow.send("/fast");
        CHECK(slow.receive().body() == R"({"fast":true})");
        server.stop();
    }
}
