// Keys of the databases kept in insertion order (change logs, the outbox, the check journal): a
// 64-bit sequence number in 8 big-endian bytes, so LMDB's byte order is numeric order and an
// append is always at the end (MDB_APPEND).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace piotd::storage {

std::string encode_seq_key(std::uint64_t seq);
// Nothing when `key` is not 8 bytes.
std::optional<std::uint64_t> decode_seq_key(std::string_view key);

}  // namespace piotd::storage
