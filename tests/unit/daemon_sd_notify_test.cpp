// sd_notify datagrams to a test socket (a path and the abstract namespace), $WATCHDOG_USEC, and
// the watchdog pinging only while every event loop turns.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "daemon/log.hpp"
#include "daemon/systemd/sd_notify.hpp"
#include "daemon/systemd/watchdog.hpp"
#include "tests/support/notify_socket.hpp"

using namespace piotd::daemon;
using piotd::test::NotifySocket;

TEST_SUITE("daemon.systemd") {
    TEST_CASE("a notification reaches a socket at a path") {
        const std::string path = "/tmp/piotd-notify-" + std::to_string(getpid());
        NotifySocket socket(path);
        CHECK(sd_notify_to(path, "READY=1"));
        CHECK(socket.receive() == "READY=1");
    }

    TEST_CASE("a notification reaches an abstract socket ('@' prefix)") {
        const std::string name = "@piotd-notify-test-" + std::to_string(getpid());
        NotifySocket socket(name);
        CHECK(sd_notify_to(name, "STOPPING=1"));
        CHECK(socket.receive() == "STOPPING=1");
    }

    TEST_CASE("$NOTIFY_SOCKET is used; unset, relative or too long is refused quietly") {
        const std::string name = "@piotd-notify-env-" + std::to_string(getpid());
        NotifySocket socket(name);
        setenv("NOTIFY_SOCKET", name.c_str(), 1);
        CHECK(sd_notify("WATCHDOG=1"));
        CHECK(socket.receive() == "WATCHDOG=1");
        unsetenv("NOTIFY_SOCKET");
        CHECK(!sd_notify("READY=1"));
        CHECK(!sd_notify_to("relative/path", "READY=1"));
        CHECK(!sd_notify_to("/" + std::string(200, 'x'), "READY=1"));
        CHECK(!sd_notify_to("/nonexistent/socket", "READY=1"));
    }

    TEST_CASE("journal entries: one field a line, control characters escaped") {
        CHECK(journal_fields(LogLevel::warning, "replication", "upstream answered HTTP 503") ==
              "PRIORITY=4\nSYSLOG_IDENTIFIER=piotd\nPIOTD_COMPONENT=replication\n"
              "MESSAGE=piotd[replication]: upstream answered HTTP 503\n");
        const std::string forged = journal_fields(LogLevel::info, "http", "x\nPRIORITY=0\r");
        CHECK(forged.find("\nPRIORITY=0") == std::string::npos);
        CHECK(forged.find("x\\x0aPRIORITY=0\\x0d") != std::string::npos);
    }

    TEST_CASE("$WATCHDOG_USEC applies only to our pid") {
        setenv("WATCHDOG_USEC", "20000000", 1);
        unsetenv("WATCHDOG_PID");
        CHECK(watchdog_interval() == std::chrono::seconds(20));
        setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
        CHECK(watchdog_interval() == std::chrono::seconds(20));
        setenv("WATCHDOG_PID", "1", 1);
        CHECK(!watchdog_interval());
        unsetenv("WATCHDOG_PID");
        setenv("WATCHDOG_USEC", "x", 1);
        CHECK(!watchdog_interval());
        unsetenv("WATCHDOG_USEC");
        CHECK(!watchdog_interval());
    }

    TEST_CASE("the watchdog pings while every loop turns, and stops when one is wedged") {
        boost::asio::io_context a;
        boost::asio::io_context b;
        std::atomic<int> pings{0};
        Watchdog watchdog({&a, &b}, std::chrono::milliseconds(40), [&](std::string_view message) {
            CHECK(message == "WATCHDOG=1");
            ++pings;
        });
        watchdog.start();
        std::atomic<bool> wedge{false};
        std::thread ta([&] { a.run_for(std::chrono::milliseconds(900)); });
        std::thread tb([&] {
            const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(900);
            while (std::chrono::steady_clock::now() < end) {
                if (wedge) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // not turning
                } else {
                    b.run_for(std::chrono::milliseconds(5));
                }
            }
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        const int healthy = pings.load();
        CHECK(healthy >= 3);
        wedge = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the last beat age
        const int at_wedge = pings.load();
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        CHECK(pings.load() == at_wedge);
        watchdog.stop();
        ta.join();
        tb.join();
    }
}
