// The JSON of one code read by a device (a serial scan or a symbol found in an image) with its
// check: shared by the scanner's event stream and the image endpoint, so a POS parses one shape.
//   "rawHex"  the bytes as read (hex: they may be anything, not UTF-8)
//   "code"    the normalised code (GS as \u001d), "cis" (КИ), "gtin" — when it parsed
//   "repairs" what the normaliser fixed
//   "error"   {"name","message"} when it is not a marking code, else null
//   "verdict" {"result": allowed|blocked|unavailable, "source": online|offline|none, "sold",
//             "detail", "isSaleAllowed" (null when unavailable), "reasons":[{"code","refuses",
//             "messageRu","messageEn"}], "minPrice"?, "maxPrice"?} when it was checked, else null
#pragma once

#include <optional>
#include <string_view>

#include "daemon/scanner/scan_checker.hpp"
#include "protocol/json/json_writer.hpp"
#include "protocol/codes/marking_code.hpp"

namespace piotd::daemon {

// Writes the members (not the enclosing braces), so callers can add their own.
void write_checked_code_members(protocol::JsonWriter& writer, std::string_view raw,
                                const protocol::ParseResult& parsed,
                                const std::optional<ScanVerdict>& verdict);

}  // namespace piotd::daemon
