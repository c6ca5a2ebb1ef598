// FFD TLV/STLV (tspiot-kkt.md §B.2.4): tag (2 bytes LE), length (2 bytes LE), value. An STLV's
// value is a run of TLVs. Read by the register emulator (what FF4D was sent); the tag 1260 bytes
// piotd sends are built by protocol/decision/tag1260.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace piotd::protocol {

struct TlvView {
    std::uint16_t tag = 0;
    std::span<const std::uint8_t> value;
};
// Splits a run of TLVs; nothing when a length runs past the end.
std::optional<std::vector<TlvView>> parse_tlvs(std::span<const std::uint8_t> bytes);

}  // namespace piotd::protocol
