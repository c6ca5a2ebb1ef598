#include "drivers/kkt/kkt_link.hpp"

#include <array>

namespace piotd::drivers {

namespace shtrih = protocol::shtrih;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

KktLink::KktLink(KktTransport& transport, LinkTimings timings)
    : transport_(transport), timings_(timings) {}

void KktLink::ensure_open() {
    if (transport_.is_open() && !needs_reopen_) return;
    transport_.reopen();
    ++stats_.reopens;
    needs_reopen_ = false;
    rx_.clear();
    rx_pos_ = 0;
    decoder_.reset();
}

void KktLink::send(std::span<const std::uint8_t> bytes) {
    transport_.write(bytes);
}

void KktLink::send_byte(std::uint8_t byte) {
    send(std::span(&byte, 1));
}

KktLink::Incoming KktLink::next_event(Clock::time_point deadline) {
    std::array<std::uint8_t, 256> buffer{};
    for (;;) {
        while (rx_pos_ < rx_.size()) {
            if (auto event = decoder_.push(rx_[rx_pos_++])) return {false, std::move(*event)};
        }
        rx_.clear();
        rx_pos_ = 0;
        const auto now = Clock::now();
        milliseconds wait{0};
        if (decoder_.in_frame()) {
            // A frame in progress gets T3 per byte, but never more than T3 past the deadline,
            // so a register (or line noise) trickling bytes cannot hold the host for long.
            if (now > deadline + timings_.byte) {
                decoder_.reset();
                return {};
            }
            wait = timings_.byte;
        } else {
            if (now >= deadline) return {};
            wait = std::chrono::duration_cast<milliseconds>(deadline - now) + milliseconds(1);
        }
        const std::size_t n = transport_.read(buffer, wait);
        if (n == 0) {
            if (decoder_.in_frame()) decoder_.reset();  // T3 expired inside a frame
            continue;
        }
        rx_.assign(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
    }
}

KktLink::Control KktLink::wait_control(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        Incoming in = next_event(deadline);
        if (in.timed_out) return Control::none;
        if (in.event.kind != shtrih::FrameEventKind::control) continue;  // stray frame
        if (in.event.control == shtrih::kAck) return Control::ack;
        if (in.event.control == shtrih::kNak) return Control::nak;
    }
}

KktLink::Control KktLink::enquire() {
    for (int i = 0; i < timings_.enq_probes; ++i) {
        send_byte(shtrih::kEnq);
        const Control c = wait_control(timings_.enq);
        if (c != Control::none) return c;
    }
    return Control::none;
}

void KktLink::settle() {
    // Bytes left from an earlier, abandoned exchange are stale.
    std::array<std::uint8_t, 256> buffer{};
    for (int i = 0; i < 64 && transport_.read(buffer, milliseconds(0)) > 0; ++i) {
    }
    rx_.clear();
    rx_pos_ = 0;
    decoder_.reset();
    for (int i = 0; i < timings_.attempts; ++i) {
        switch (enquire()) {
            case Control::nak:
                return;
            case Control::none:
                throw LinkError(LinkErrorKind::no_link,
                                transport_.describe() + ": the register does not answer ENQ",
                                false);
            case Control::ack:
                // It holds the answer to a command whose exchange was abandoned: take it and
                // throw it away, so the next answer read is ours.
                read_answer(timings_.answer);
                break;
        }
    }
    throw LinkError(LinkErrorKind::protocol,
                    transport_.describe() + ": the register keeps answering ENQ with ACK", false);
}

std::vector<std::uint8_t> KktLink::read_answer(milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    int bad = 0;
    int probes = 0;
    for (;;) {
        Incoming in = next_event(deadline);
        if (!in.timed_out) {
            if (in.event.kind == shtrih::FrameEventKind::frame) {
                send_byte(shtrih::kAck);
                return std::move(in.event.payload);
            }
            if (in.event.kind == shtrih::FrameEventKind::control) continue;
            // Bad LRC: NAK it, then ENQ to have it sent again (§B.2.1).
            ++stats_.bad_answers;
            send_byte(shtrih::kNak);
            if (++bad > timings_.attempts) {
                throw LinkError(
                    LinkErrorKind::protocol,
                    transport_.describe() + ": answer corrupted " + std::to_string(bad) + " times",
                    acknowledged_);
            }
        } else if (++probes > timings_.attempts) {
            throw LinkError(LinkErrorKind::no_link,
                            transport_.describe() + ": no answer to the command", acknowledged_);
        }
        switch (enquire()) {
            case Control::ack:  // it has the answer (or is still preparing it): wait again
                deadline = Clock::now() + (in.timed_out ? timeout : timings_.answer);
                break;
            case Control::nak:
                throw LinkError(LinkErrorKind::protocol,
                                transport_.describe() + ": the register lost the answer",
                                acknowledged_);
            case Control::none:
                throw LinkError(LinkErrorKind::no_link,
                                transport_.describe() + ": the register stopped answering",
                                acknowledged_);
        }
    }
}

std::vector<std::uint8_t> KktLink::run(std::span<const std::uint8_t> frame,
                                       milliseconds answer_timeout) {
    for (int attempt = 0; attempt < timings_.attempts; ++attempt) {
        if (attempt > 0) ++stats_.retransmissions;
        send(frame);
        Control c = wait_control(timings_.ack);
        if (c == Control::none) {
            // No ACK: ask whether the command arrived before sending it again.
            c = enquire();
            if (c == Control::none) {
                throw LinkError(LinkErrorKind::no_link,
                                transport_.describe() + ": no ACK and no answer to ENQ", false);
            }
        }
        if (c == Control::ack) {
            acknowledged_ = true;
            return read_answer(answer_timeout);
        }
        // NAK: it did not get the command whole; send it again.
    }
    throw LinkError(LinkErrorKind::protocol,
                    transport_.describe() + ": command refused (NAK) " +
                        std::to_string(timings_.attempts) + " times",
                    false);
}

std::vector<std::uint8_t> KktLink::exchange(std::span<const std::uint8_t> payload,
                                            milliseconds answer_timeout) {
    const auto frame = shtrih::encode_frame(payload);
    if (!frame) throw LinkError(LinkErrorKind::protocol, "command does not fit one frame", false);
    if (answer_timeout.count() <= 0) answer_timeout = timings_.answer;
    acknowledged_ = false;
    ++stats_.exchanges;
    const std::size_t garbage_before = decoder_.garbage();
    try {
        ensure_open();
        settle();
        auto answer = run(*frame, answer_timeout);
        stats_.garbage_bytes += decoder_.garbage() - garbage_before;
        return answer;
    } catch (const TransportError& e) {
        needs_reopen_ = true;
        stats_.garbage_bytes += decoder_.garbage() - garbage_before;
        throw LinkError(LinkErrorKind::transport, e.what(), acknowledged_);
    } catch (const LinkError& e) {
        if (e.kind() == LinkErrorKind::no_link) needs_reopen_ = true;
        stats_.garbage_bytes += decoder_.garbage() - garbage_before;
        throw;
    }
}

bool KktLink::probe_link() {
    try {
        ensure_open();
        settle();
        return true;
    } catch (const TransportError&) {
        needs_reopen_ = true;
        return false;
    } catch (const LinkError&) {
        needs_reopen_ = true;
        return false;
    }
}

}  // namespace piotd::drivers
