// The Shtrih-M link protocol on top of a byte transport (tspiot-kkt.md §B.2.1):
//   ENQ → NAK: the register is idle, send the command; ENQ → ACK: it holds an answer;
//   frame → ACK (got it) or NAK (resend); answer frame → host ACK (good LRC) or NAK, and after a
//   NAK the host sends ENQ to have the answer sent again.
// Timeouts T1…T4 below; retransmissions bounded by `attempts`. A command is never sent twice
// unless the register said it did not get it (NAK to the frame, or NAK to the ENQ that follows
// a missing ACK): a position must not be added twice because an ACK was lost.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "drivers/kkt/kkt_transport.hpp"
#include "protocol/kkt/shtrih_frame.hpp"

namespace piotd::drivers {

struct LinkTimings {
    // T1: answer to ENQ. The register answers within a few byte times; generous for USB/TCP.
    std::chrono::milliseconds enq{500};
    // T2: ACK to a command frame.
    std::chrono::milliseconds ack{500};
    // T3: silence inside a frame after which the partial frame is dropped. The register's own
    // byte timeout is 50 ms; the host is lenient (USB adapters and loaded PCs stall).
    std::chrono::milliseconds byte{300};
    // T4: default wait for the answer frame once the command was acknowledged (each command
    // may ask for more: closing a receipt prints it).
    std::chrono::milliseconds answer{10'000};
    int attempts = 5;    // frame retransmissions, answer re-requests
    int enq_probes = 3;  // ENQs without any answer before the link counts as down
};

enum class LinkErrorKind : std::uint8_t {
    no_link,    // the register did not answer at all
    transport,  // the device or connection failed
    protocol,   // it answered, but not in a way the protocol allows (garbage, too many NAKs)
};

class LinkError : public std::runtime_error {
public:
    LinkError(LinkErrorKind kind, const std::string& what, bool command_may_have_run)
        : std::runtime_error(what), kind_(kind), may_have_run_(command_may_have_run) {}
    LinkErrorKind kind() const { return kind_; }
    // The register acknowledged the command before the failure: it may have executed it.
    bool command_may_have_run() const { return may_have_run_; }

private:
    LinkErrorKind kind_;
    bool may_have_run_;
};

struct LinkStats {
    std::uint64_t exchanges = 0;
    std::uint64_t retransmissions = 0;  // frames sent again after NAK or silence
    std::uint64_t bad_answers = 0;      // answer frames with a bad LRC (NAKed)
    std::uint64_t garbage_bytes = 0;
    std::uint64_t reopens = 0;
};

class KktLink {
public:
    KktLink(KktTransport& transport, LinkTimings timings);

    // Sends one command payload (CMD+DATA) and returns the answer payload (CMD+ERR+DATA).
    // `answer_timeout` zero = timings.answer. Throws LinkError.
    std::vector<std::uint8_t> exchange(std::span<const std::uint8_t> payload,
                                       std::chrono::milliseconds answer_timeout = {});

    // ENQ → NAK/ACK: the register answers at all (reopening the transport if needed).
    bool probe_link();

    const LinkStats& stats() const { return stats_; }
    const LinkTimings& timings() const { return timings_; }
    KktTransport& transport() { return transport_; }
    const KktTransport& transport() const { return transport_; }

private:
    enum class Control : std::uint8_t { none, ack, nak };
    struct Incoming {
        bool timed_out = true;
        protocol::shtrih::FrameEvent event;
    };

    void ensure_open();
    void send(std::span<const std::uint8_t> bytes);
    void send_byte(std::uint8_t byte);
    // Next event (control byte or whole frame) before `deadline`; drops partial frames that go
    // silent for T3.
    Incoming next_event(std::chrono::steady_clock::time_point deadline);
    // Waits for ACK/NAK until the deadline, ignoring garbage and stray frames.
    Control wait_control(std::chrono::milliseconds timeout);
    // ENQ, then the register's ACK/NAK (none when silent after enq_probes tries).
    Control enquire();
    // Makes the register idle: discards an answer it still holds from an earlier command.
    void settle();
    std::vector<std::uint8_t> read_answer(std::chrono::milliseconds timeout);
    std::vector<std::uint8_t> run(std::span<const std::uint8_t> frame,
                                  std::chrono::milliseconds answer_timeout);

    KktTransport& transport_;
    LinkTimings timings_;
    protocol::shtrih::FrameDecoder decoder_;
    std::vector<std::uint8_t> rx_;
    std::size_t rx_pos_ = 0;
    LinkStats stats_;
    bool acknowledged_ = false;  // the current command was acknowledged by the register
    bool needs_reopen_ = true;
};

}  // namespace piotd::drivers
