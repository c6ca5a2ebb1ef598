// The upstream a till replicates from: "http://host[:port][/base]" (another piotd on the store
// server, or the fake upstream of the tests); and the same form with https:// for services that
// need TLS (the True API, docs/permissive-mode.md).
#pragma once

#include <string>
#include <string_view>

namespace piotd::daemon {

struct UpstreamUrl {
    std::string host;
    std::string port;  // "80" by default, "443" for https
    std::string base;  // path prefix without a trailing '/', usually empty
    bool tls = false;  // https://
};

// http:// or https://. Throws std::runtime_error naming what is wrong.
UpstreamUrl parse_upstream_url(std::string_view url);

// http:// or https://; `what` names the URL in error messages ("true-api").
UpstreamUrl parse_service_url(std::string_view url, std::string_view what);

}  // namespace piotd::daemon
