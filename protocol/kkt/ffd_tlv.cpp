#include "protocol/kkt/ffd_tlv.hpp"

namespace piotd::protocol {

std::optional<std::vector<TlvView>> parse_tlvs(std::span<const std::uint8_t> bytes) {
    std::vector<TlvView> out;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        if (bytes.size() - pos < 4) return std::nullopt;
        const auto tag = static_cast<std::uint16_t>(bytes[pos] | (bytes[pos + 1] << 8));
        const std::size_t length = bytes[pos + 2] | (bytes[pos + 3] << 8);
        pos += 4;
        if (bytes.size() - pos < length) return std::nullopt;
        out.push_back(TlvView{tag, bytes.subspan(pos, length)});
        pos += length;
    }
    return out;
}

}  // namespace piotd::protocol
