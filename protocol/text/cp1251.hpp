// UTF-8 to Windows-1251, the text encoding of Shtrih-M registers (tspiot-kkt.md §B.2.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace piotd::protocol {

// Latin and Cyrillic (А…я, Ё, ё, №) are mapped; anything else, including malformed UTF-8,
// becomes '?'. At most `max_bytes` bytes come out, never a cut character.
std::vector<std::uint8_t> utf8_to_cp1251(std::string_view text, std::size_t max_bytes);

}  // namespace piotd::protocol
