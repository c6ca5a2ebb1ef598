// FFD TLV/STLV (tspiot-kkt.md §B.2.4): tag (2 bytes LE), length (2 bytes LE), value. An STLV's
// value is a run of TLVs. Used for the tag 1260 bytes handed to FF4D until the permissive-mode
// chain's protocol/tag1260.hpp supplies them, and by the emulator to read what it was sent.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace piotd::protocol {

void append_tlv(std::vector<std::uint8_t>& out, std::uint16_t tag,
                std::span<const std::uint8_t> value);
void append_tlv(std::vector<std::uint8_t>& out, std::uint16_t tag, std::string_view value);

struct TlvView {
    std::uint16_t tag = 0;
    std::span<const std::uint8_t> value;
};
// Splits a run of TLVs; nothing when a length runs past the end.
std::optional<std::vector<TlvView>> parse_tlvs(std::span<const std::uint8_t> bytes);

}  // namespace piotd::protocol
