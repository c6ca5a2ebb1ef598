#include "protocol/kkt/shtrih_frame.hpp"

namespace piotd::protocol::shtrih {

std::uint8_t lrc(std::span<const std::uint8_t> bytes, std::uint8_t seed) {
    std::uint8_t sum = seed;
    for (const std::uint8_t b : bytes) sum ^= b;
    return sum;
}

std::optional<std::vector<std::uint8_t>> encode_frame(std::span<const std::uint8_t> payload) {
    if (payload.empty() || payload.size() > kMaxPayload) return std::nullopt;
    std::vector<std::uint8_t> frame;
    frame.reserve(payload.size() + 3);
    const auto length = static_cast<std::uint8_t>(payload.size());
    frame.push_back(kStx);
    frame.push_back(length);
    frame.insert(frame.end(), payload.begin(), payload.end());
    frame.push_back(lrc(payload, length));
    return frame;
}

std::optional<FrameEvent> FrameDecoder::push(std::uint8_t byte) {
    switch (state_) {
        case State::idle:
            if (byte == kStx) {
                state_ = State::length;
            } else if (byte == kEnq || byte == kAck || byte == kNak) {
                return FrameEvent{FrameEventKind::control, byte, {}};
            } else {
                ++garbage_;
            }
            return std::nullopt;
        case State::length:
            if (byte == 0) {  // no command: not a frame; look for the next STX
                ++garbage_;
                state_ = State::idle;
                return std::nullopt;
            }
            length_ = byte;
            payload_.clear();
            payload_.reserve(length_);
            state_ = State::body;
            return std::nullopt;
        case State::body:
            payload_.push_back(byte);
            if (payload_.size() == length_) state_ = State::check;
            return std::nullopt;
        case State::check: {
            state_ = State::idle;
            const bool good = lrc(payload_, length_) == byte;
            FrameEvent event{good ? FrameEventKind::frame : FrameEventKind::bad_lrc, 0,
                             std::move(payload_)};
            payload_ = {};
            return event;
        }
    }
    return std::nullopt;
}

void FrameDecoder::reset() {
    if (state_ != State::idle) ++garbage_;
    state_ = State::idle;
    payload_.clear();
}

}  // namespace piotd::protocol::shtrih
