// ISO-8601 date-times as the True API writes them ("2025-09-18T00:00:00.000Z", lm-api.md §6.4
// expireDate/productionDate, pattern yyyy-MM-dd'T'HH:mm:ss.SSSz) turned into epoch milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace piotd::protocol {

// Accepts YYYY-MM-DD, optionally followed by T (or a space) HH:MM[:SS[.fraction]] and an
// optional zone: Z, ±HH, ±HH:MM or ±HHMM. No zone means UTC. Returns nothing for anything else
// (out-of-range fields included), so a garbled date is never read as some other date.
std::optional<std::int64_t> parse_iso_datetime_ms(std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date (no validation; callers check ranges).
std::int64_t days_from_civil(int year, unsigned month, unsigned day);

}  // namespace piotd::protocol
