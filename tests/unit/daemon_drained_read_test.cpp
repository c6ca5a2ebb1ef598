// DrainedReadBuffer: a read that leaves the receive queue empty (the kernel's TCP_INQ hint)
// marks the socket drained, so the next read waits for epoll. What must hold is that no byte,
// no end of stream and no wake-up is lost, whatever the order of the peer's writes, the reads
// being queued and the reactor running. (The syscalls it saves are counted in
// bench/README.md, not here.)
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "daemon/http/drained_read_buffer.hpp"

using piotd::daemon::DrainedReadBuffer;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

struct Pair {
    asio::io_context io;
    tcp::socket reader{io};
    tcp::socket writer{io};

    Pair() {
        tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        piotd::daemon::enable_drained_reads(acceptor.native_handle());  // as the server does
        writer.connect(acceptor.local_endpoint());
        acceptor.accept(reader);
    }

    std::array<char, 16> buffer{};
    boost::system::error_code ec;

    // One async read into `buffer`; runs the io_context until it completes (or 5 s pass).
    std::string read(bool drained = true) {
        std::size_t got = 0;
        bool done = false;
        auto handler = [&](boost::system::error_code e, std::size_t n) {
            ec = e;
            got = n;
            done = true;
        };
        if (drained) {
            reader.async_read_some(DrainedReadBuffer(asio::buffer(buffer)), handler);
        } else {
            reader.async_read_some(asio::buffer(buffer), handler);
        }
        io.restart();
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!done && std::chrono::steady_clock::now() < until) {
            io.run_for(std::chrono::milliseconds(50));
            io.restart();
        }
        REQUIRE(done);
        return {buffer.data(), got};
    }

    void send(std::string_view bytes) { asio::write(writer, asio::buffer(bytes)); }

    // Three bytes into a 16-byte buffer: a short read, after which the socket is marked drained.
    void short_read() {
        send("abc");
        CHECK(read() == "abc");
        CHECK(!ec);
    }
};

}  // namespace

TEST_CASE("drained read: bytes written after the next read is queued wake it") {
    Pair pair;
    pair.short_read();

    std::string got;
    pair.reader.async_read_some(
        DrainedReadBuffer(asio::buffer(pair.buffer)),
        [&](boost::system::error_code, std::size_t n) { got.assign(pair.buffer.data(), n); });
    pair.io.restart();
    pair.io.poll();  // queued, nothing to read yet
    CHECK(got.empty());
    pair.send("next");
    pair.io.restart();
    pair.io.run_for(std::chrono::seconds(5));
    CHECK(got == "next");
}

TEST_CASE("drained read: bytes that arrived before the next read is queued are found") {
    Pair pair;
    pair.short_read();
    pair.send("def");
    // The reactor has not run since: the edge is still in epoll's ready list.
    CHECK(pair.read() == "def");

    pair.send("ghi");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    pair.io.restart();
    pair.io.poll();  // the reactor sees the edge with no read queued
    CHECK(pair.read() == "ghi");
    // A plain read after a drained one waits for epoll too, and is woken the same way.
    pair.send("jkl");
    CHECK(pair.read(false) == "jkl");
}

TEST_CASE("drained read: a read that fills the buffer leaves the rest to the next one") {
    Pair pair;
    pair.send("0123456789abcdefXYZ");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(pair.read() == "0123456789abcdef");
    CHECK(pair.read() == "XYZ");
}

TEST_CASE("drained read: end of stream after a short read") {
    Pair pair;
    pair.short_read();
    pair.writer.close();
    CHECK(pair.read().empty());
    CHECK(pair.ec == asio::error::eof);
}

TEST_CASE("drained read: bytes and the end of stream that came together are both seen") {
    // One epoll edge brings both: the short read must not mark the socket drained, or the
    // end of stream waits for an edge that never comes (a client that sends its request and
    // shuts down its side would wait for the idle timeout).
    Pair pair;
    pair.send("abc");
    pair.writer.shutdown(tcp::socket::shutdown_send);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(pair.read() == "abc");
    CHECK(!pair.ec);
    CHECK(pair.read().empty());
    CHECK(pair.ec == asio::error::eof);

    // The same after a drained read, with the reactor seeing the edge before the read.
    Pair second;
    second.short_read();
    second.send("def");
    second.writer.shutdown(tcp::socket::shutdown_send);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    second.io.restart();
    second.io.poll();
    CHECK(second.read() == "def");
    CHECK(second.read().empty());
    CHECK(second.ec == asio::error::eof);
}

TEST_CASE("drained read: a writer thread's random pieces arrive whole and in order") {
    Pair pair;
    std::string sent;
    std::mt19937 random(7);
    for (int i = 0; i < 3000; ++i) {
        sent += static_cast<char>('a' + random() % 26);
    }
    std::thread writer([&] {
        std::mt19937 pieces(11);
        std::size_t at = 0;
        while (at < sent.size()) {
            const std::size_t n = std::min<std::size_t>(1 + pieces() % 40, sent.size() - at);
            asio::write(pair.writer, asio::buffer(sent.data() + at, n));
            at += n;
            if (pieces() % 4 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        pair.writer.shutdown(tcp::socket::shutdown_send);
    });
    // A failed REQUIRE in read() unwinds through here: the writer finishes on its own.
    struct Joiner {
        std::thread& thread;
        ~Joiner() {
            if (thread.joinable()) thread.join();
        }
    } joiner{writer};
    std::string received;
    while (!pair.ec) received += pair.read(received.size() % 3 != 0);
    writer.join();
    CHECK(pair.ec == asio::error::eof);
    CHECK(received == sent);
}

TEST_CASE("drained read: compiled in for Debian 12's Asio (1.26, epoll)") {
    // If a change of Boost or of its configuration turned it off, the session would still work,
    // with Asio's speculative reads back: this case says so instead of a benchmark, later.
#if BOOST_ASIO_VERSION == 102600 && defined(__linux__)
    CHECK(PIOTD_DRAINED_READ == 1);
    Pair pair;
    CHECK(piotd::daemon::enable_drained_reads(pair.reader.native_handle()));
#else
    MESSAGE("not Asio 1.26 on Linux: DrainedReadBuffer is a plain buffer here");
#endif
}
