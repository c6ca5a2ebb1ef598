#include "storage/sequence_key.hpp"

namespace piotd::storage {

std::string encode_seq_key(std::uint64_t seq) {
    std::string key(8, '\0');
    for (std::size_t i = 0; i < 8; ++i) key[i] = static_cast<char>((seq >> (8 * (7 - i))) & 0xff);
    return key;
}

std::optional<std::uint64_t> decode_seq_key(std::string_view key) {
    if (key.size() != 8) return std::nullopt;
    std::uint64_t seq = 0;
    for (const char c : key) seq = (seq << 8) | static_cast<unsigned char>(c);
    return seq;
}

}  // namespace piotd::storage
