#include "daemon/http/cross_site.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "daemon/http/json_error.hpp"

namespace piotd::daemon {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// "host[:port]" without the port; "[::1]:5995" keeps its brackets.
std::string_view host_part(std::string_view authority) {
    if (authority.starts_with('[')) {
        const std::size_t close = authority.find(']');
        return close == std::string_view::npos ? authority : authority.substr(0, close + 1);
    }
    return authority.substr(0, authority.find(':'));
}

bool loopback_name(std::string_view host) {
    return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

// An Origin the browser sends for piotd's own pages or a page on the till itself.
bool trusted_origin(std::string_view origin, std::string_view request_host) {
    const std::string value = lower(trim(origin));
    std::string_view rest = value;
    if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
    } else {
        return false;  // "null" (a sandboxed or file page), another scheme
    }
    if (rest.find('/') != std::string_view::npos) return false;
    if (rest == lower(trim(request_host))) return true;  // same origin
    return loopback_name(host_part(rest));
}

}  // namespace

std::optional<Response> refuse_cross_site(const Request& request) {
    const auto fetch_site = request.find("Sec-Fetch-Site");
    if (fetch_site != request.end()) {
        const std::string site = lower(trim(fetch_site->value()));
        if (site == "cross-site" || site == "same-site") {
            return json_error(http::status::forbidden, ApiError::cross_site,
                              "a request from another site's web page has no effect here");
        }
    }
    const auto origin = request.find(http::field::origin);
    if (origin != request.end()) {
        const auto host = request.find(http::field::host);
        const std::string_view request_host =
            host == request.end() ? std::string_view{} : std::string_view(host->value());
        if (!trusted_origin(origin->value(), request_host)) {
            return json_error(http::status::forbidden, ApiError::cross_site,
                              "a request from another site's web page has no effect here");
        }
    }
    const auto type = request.find(http::field::content_type);
    if (type != request.end()) {
        const std::string media = lower(trim(type->value().substr(0, type->value().find(';'))));
        if (media == "text/plain" || media == "application/x-www-form-urlencoded" ||
            media == "multipart/form-data") {
            return json_error(http::status::unsupported_media_type,
                              ApiError::unsupported_media_type,
                              "the body must be application/json (or an image for "
                              "/api/v1/scan/image), not " +
                                  media);
        }
    }
    return std::nullopt;
}

}  // namespace piotd::daemon
