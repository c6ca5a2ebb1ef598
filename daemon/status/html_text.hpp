// Text for the status page: HTML escaping (every dynamic value, since codes and upstream errors
// are hostile input) and human forms of times, durations and sizes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace piotd::daemon {

// Escapes & < > " ' and replaces control characters and invalid UTF-8 bytes with U+FFFD.
std::string html_escape(std::string_view text);

// Invalid UTF-8 bytes replaced with U+FFFD, so hostile text can go into JSON unharmed.
std::string utf8_sanitized(std::string_view text);

// "2026-11-23 11:29:25 UTC"; "never" for 0.
std::string format_utc(std::int64_t epoch_ms);
// "850 ms", "12 s", "5 min", "3 h 20 min", "2 d 4 h".
std::string format_duration(std::int64_t ms);
// "512 B", "3.4 MiB", "1.2 GiB".
std::string format_bytes(std::uint64_t bytes);

}  // namespace piotd::daemon
