// The scanner's event fan-out: framing of server-sent events, wake-ups, keep-alive comments, and
// a client that does not keep up is dropped instead of growing the daemon's memory.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "daemon/scanner/scan_event_hub.hpp"

using piotd::daemon::ScanEventHub;

TEST_SUITE("daemon.scanner") {
    TEST_CASE("events are framed, queued per client and wake a waiting client") {
        ScanEventHub hub(8);
        auto stream = hub.subscribe();
        CHECK(hub.clients() == 1);
        std::string out;
        CHECK(stream->next(out, 1 << 16));
        CHECK(out.starts_with("retry: 2000\n"));
        out.clear();
        CHECK(stream->next(out, 1 << 16));
        CHECK(out.empty());
        bool woken = false;
        stream->on_ready([&] { woken = true; });
        CHECK_FALSE(woken);
        hub.publish("scan", R"({"a":1})");
        CHECK(woken);
        CHECK(stream->next(out, 1 << 16));
        CHECK(out == "event: scan\nid: 1\ndata: {\"a\":1}\n\n");

        out.clear();
        hub.keep_alive();
        CHECK(stream->next(out, 1 << 16));
        CHECK(out == ": keep-alive\n\n");

        hub.close();
        out.clear();
        CHECK_FALSE(stream->next(out, 1 << 16));
        stream.reset();
        CHECK(hub.clients() == 0);
    }

    TEST_CASE("a slow client is dropped when its queue is full; others keep theirs") {
        ScanEventHub hub(3);
        auto slow = hub.subscribe();
        auto fast = hub.subscribe();
        std::string out;
        for (int i = 0; i < 10; ++i) {
            hub.publish("scan", std::to_string(i));
            out.clear();
            fast->next(out, 1 << 16);
            CHECK(out.find("data: " + std::to_string(i) + "\n") != std::string::npos);
        }
        CHECK(hub.dropped_clients() == 1);
        out.clear();
        CHECK_THROWS_AS(slow->next(out, 1 << 16), std::runtime_error);
        bool woken = false;
        slow->on_ready([&] { woken = true; });
        CHECK(woken);  // a dropped client is woken at once, to be closed
        CHECK(hub.published() == 10);
    }
}
