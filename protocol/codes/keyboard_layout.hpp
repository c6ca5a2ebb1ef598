// Repair of codes typed by a scanner in HID keyboard mode while the Russian (ЙЦУКЕН) layout was
// active: every character is mapped back to what the same key gives on the US layout.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace piotd::protocol {

// True when `utf8` contains at least one Cyrillic letter (U+0400..U+04FF) or '№'.
bool has_cyrillic(std::string_view utf8);

// Maps `utf8` key by key to the US layout and writes ASCII into `out` (at most out_size bytes).
// Letters (both cases), ё/Ё, and the punctuation that differs between the layouts
// ("->@, №->#, ;->$, :->^, ?->&, .->/, ,->?, /->|) are mapped; other ASCII is kept.
// Returns the number of bytes written, or nothing when a character has no key on the US layout
// or the output does not fit.
std::optional<std::size_t> repair_russian_layout(std::string_view utf8, char* out,
                                                 std::size_t out_size);

}  // namespace piotd::protocol
