// Standard base64 (RFC 4648 §4, with padding). Used for Basic auth and for the ТС ПИоТ API,
// which sends marking codes as base64 of their raw bytes so GS survives JSON.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace piotd::protocol {

std::string base64_encode(std::string_view bytes);

// Decodes into `out` (at most out_size bytes). Returns the decoded length, or nothing when the
// input is not canonical padded base64 or does not fit.
std::optional<std::size_t> base64_decode(std::string_view text, char* out, std::size_t out_size);

}  // namespace piotd::protocol
