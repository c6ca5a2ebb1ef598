// The Shtrih-M standard lower level (tspiot-kkt.md §B.2.1): control bytes and the frame
//   STX(0x02) LEN CMD DATA… LRC
// where LEN counts CMD+DATA (1…255 bytes) and LRC is the XOR of LEN and every byte after it.
// Pure: no I/O. The streaming decoder takes bytes as they arrive, in pieces split anywhere, and
// never buffers more than one frame (LEN is one byte, so at most 255 payload bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace piotd::protocol::shtrih {

inline constexpr std::uint8_t kStx = 0x02;
inline constexpr std::uint8_t kEnq = 0x05;
inline constexpr std::uint8_t kAck = 0x06;
inline constexpr std::uint8_t kNak = 0x15;
inline constexpr std::size_t kMaxPayload = 255;

// XOR of every byte: the LRC of a frame is lrc(LEN, CMD, DATA…).
std::uint8_t lrc(std::span<const std::uint8_t> bytes, std::uint8_t seed = 0);

// STX LEN payload LRC. Nothing when the payload is empty or longer than 255 bytes.
std::optional<std::vector<std::uint8_t>> encode_frame(std::span<const std::uint8_t> payload);

enum class FrameEventKind : std::uint8_t {
    control,  // ENQ, ACK or NAK outside a frame: `control` holds it
    frame,    // a whole frame with a good LRC: `payload` holds CMD+DATA
    bad_lrc,  // a whole frame whose LRC did not match (`payload` holds what arrived)
};

struct FrameEvent {
    FrameEventKind kind = FrameEventKind::control;
    std::uint8_t control = 0;
    std::vector<std::uint8_t> payload;
};

// Cuts a byte stream into control bytes and frames. Bytes that are neither a control byte nor
// the start of a frame are counted as garbage and dropped; so is a frame with LEN 0. A frame cut
// short (the other side stopped sending) is dropped by reset(), which the link layer calls when
// the byte timeout expires.
class FrameDecoder {
public:
    // One byte in; an event when it completes one.
    std::optional<FrameEvent> push(std::uint8_t byte);
    // Forgets a partial frame (byte timeout, resynchronisation).
    void reset();
    bool in_frame() const { return state_ != State::idle; }
    std::size_t garbage() const { return garbage_; }

private:
    enum class State : std::uint8_t { idle, length, body, check };
    State state_ = State::idle;
    std::uint8_t length_ = 0;
    std::vector<std::uint8_t> payload_;
    std::size_t garbage_ = 0;
};

}  // namespace piotd::protocol::shtrih
