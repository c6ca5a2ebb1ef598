#include "daemon/http/basic_auth.hpp"

#include <array>

#include "protocol/base64.hpp"

namespace piotd::daemon {

namespace {

bool iequals_prefix(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

// Compares every byte of the longer input whatever the first difference is.
bool constant_time_equal(std::string_view a, std::string_view b) {
    const std::size_t n = a.size() > b.size() ? a.size() : b.size();
    unsigned diff = static_cast<unsigned>(a.size() ^ b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned>(x ^ y);
    }
    return diff == 0;
}

}  // namespace

BasicAuth::BasicAuth(std::string user, std::string password)
    : expected_(std::move(user) + ":" + std::move(password)),
      expected_header_("Basic " + protocol::base64_encode(expected_)) {}

bool BasicAuth::allows(const Request& request) const {
    const auto it = request.find(http::field::authorization);
    if (it == request.end()) return false;
    return allows_header(it->value());
}

bool BasicAuth::allows_header(std::string_view authorization) const {
    // What clients send (curl, browsers, POS software) is the canonical form: one comparison,
    // no decoding. Other spellings ("basic", extra spaces) take the general path below.
    if (constant_time_equal(authorization, expected_header_)) return true;
    if (!iequals_prefix(authorization, "basic ")) return false;
    std::string_view encoded = authorization.substr(6);
    while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
    while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
    // user:password longer than this is not ours; refuse before decoding attacker-sized input.
    if (encoded.size() > 1024) return false;
    std::array<char, 768> decoded{};
    const auto length = protocol::base64_decode(encoded, decoded.data(), decoded.size());
    if (!length) return false;
    return constant_time_equal({decoded.data(), *length}, expected_);
}

}  // namespace piotd::daemon
