// The upstream a till replicates from: "http://host[:port][/base]" (another piotd on the store
// server, or the fake upstream of the tests).
#pragma once

#include <string>
#include <string_view>

namespace piotd::daemon {

struct UpstreamUrl {
    std::string host;
    std::string port;  // "80" by default
    std::string base;  // path prefix without a trailing '/', usually empty
};

// Throws std::runtime_error naming what is wrong. https:// is refused with a clear message until
// the TLS client lands (the True API client brings it).
UpstreamUrl parse_upstream_url(std::string_view url);

}  // namespace piotd::daemon
