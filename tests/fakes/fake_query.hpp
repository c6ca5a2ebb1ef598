// URL query parameters for the fake upstream (RFC 3986 percent-encoding; '+' stays '+', as in
// piotd: it is a legal character of marking-code serials).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace piotd::fakes {

struct QueryValue {
    bool present = false;
    bool valid = true;  // well-formed percent-encoding
    std::string value;  // decoded
};

QueryValue query_param(std::string_view query, std::string_view name);
// The parameter as an unsigned integer; nothing when absent or not a number.
std::optional<std::uint64_t> query_u64(std::string_view query, std::string_view name);
// Present as "1", "true" or with no value.
bool query_flag(std::string_view query, std::string_view name);

}  // namespace piotd::fakes
