#include "daemon/replication/upstream_url.hpp"

#include <stdexcept>

namespace piotd::daemon {

UpstreamUrl parse_upstream_url(std::string_view url) {
    return parse_service_url(url, "upstream");
}

UpstreamUrl parse_service_url(std::string_view url, std::string_view what) {
    const std::string text(url);
    const std::string name(what);
    const bool tls = url.starts_with("https://");
    if (!tls && !url.starts_with("http://")) {
        throw std::runtime_error(name + " must be an http:// or https:// URL, got '" + text + "'");
    }
    std::string_view rest = url.substr(tls ? 8 : 7);
    const std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path =
        slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (authority.empty() || authority.find('@') != std::string_view::npos) {
        throw std::runtime_error(name + " URL needs a host and no credentials: '" + text + "'");
    }
    UpstreamUrl parsed;
    parsed.tls = tls;
    const std::size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
        parsed.host = authority.substr(0, colon);
        parsed.port = authority.substr(colon + 1);
    } else if (colon != std::string_view::npos && authority.back() != ']') {
        parsed.host = authority.substr(0, colon);
        parsed.port = authority.substr(colon + 1);
    } else {
        parsed.host = authority;
        parsed.port = tls ? "443" : "80";
    }
    if (parsed.host.size() >= 2 && parsed.host.front() == '[' && parsed.host.back() == ']') {
        parsed.host = parsed.host.substr(1, parsed.host.size() - 2);
    }
    if (parsed.host.empty() || parsed.port.empty() ||
        parsed.port.find_first_not_of("0123456789") != std::string::npos ||
        parsed.port.size() > 5) {
        throw std::runtime_error("bad host or port in " + name + " URL '" + text + "'");
    }
    parsed.base = path;
    return parsed;
}

}  // namespace piotd::daemon
