// A KktTransport wired straight to the fake register (tests/fakes/fake_kkt_register.hpp), for
// unit tests of the register's link, session and sale flow.
#pragma once

#include <algorithm>
#include <chrono>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "drivers/kkt/kkt_session.hpp"
#include "tests/fakes/fake_kkt_register.hpp"

namespace piotd::test {

using drivers::KktTransport;
using drivers::TransportError;
using fakes::FakeKktRegister;

// Bytes written go straight into the fake register; its answer waits to be read. Nothing can
// arrive while nobody writes, so a read on an empty queue just sleeps out its timeout.
class MemoryTransport : public KktTransport {
public:
    explicit MemoryTransport(FakeKktRegister& reg) : reg_(reg) {}
    void write(std::span<const std::uint8_t> bytes) override {
        if (!open_) throw TransportError("memory: not open");
        if (break_next_write_) {
            break_next_write_ = false;
            open_ = false;
            throw TransportError("memory: broken");
        }
        const auto out = reg_.on_bytes(bytes);
        rx_.insert(rx_.end(), noise_.begin(), noise_.end());
        noise_.clear();
        rx_.insert(rx_.end(), out.begin(), out.end());
    }
    std::size_t read(std::span<std::uint8_t> out, std::chrono::milliseconds timeout) override {
        if (!open_) throw TransportError("memory: not open");
        if (rx_.empty()) {
            std::this_thread::sleep_for(timeout);
            return 0;
        }
        const std::size_t n = std::min({out.size(), rx_.size(), chunk_});
        std::copy_n(rx_.begin(), n, out.begin());
        rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(n));
        return n;
    }
    void reopen() override {
        ++reopens_;
        rx_.clear();
        reg_.reset_link();
        open_ = true;
    }
    bool is_open() const override { return open_; }
    std::string describe() const override { return "memory"; }

    std::size_t chunk_ = 4096;         // bytes per read: 1 splits every frame
    std::vector<std::uint8_t> noise_;  // delivered before the answer to the next write
    bool break_next_write_ = false;
    int reopens_ = 0;

private:
    FakeKktRegister& reg_;
    std::deque<std::uint8_t> rx_;
    bool open_ = false;
};

// Timings short enough for unit tests: nothing arrives late in memory.
inline drivers::KktSessionOptions fast_kkt_options() {
    drivers::KktSessionOptions o;
    o.timings.enq = std::chrono::milliseconds(20);
    o.timings.ack = std::chrono::milliseconds(20);
    o.timings.byte = std::chrono::milliseconds(20);
    o.timings.answer = std::chrono::milliseconds(60);
    o.busy_delay = std::chrono::milliseconds(1);
    o.close_timeout = std::chrono::milliseconds(60);
    return o;
}

}  // namespace piotd::test
