#include "daemon/status/status_routes.hpp"

#include "daemon/http/json_response.hpp"
#include "daemon/status/status_page_html.hpp"
#include "daemon/status/status_page_json.hpp"
#include "protocol/text/uuid.hpp"

namespace piotd::daemon {

namespace {

Response html_page(const LocalModule& module, const LagHistory& lag, const StatusSources& sources) {
    Response response(http::status::ok, 11);
    response.set(http::field::content_type, "text/html; charset=utf-8");
    response.set(http::field::cache_control, "no-store");
    // Everything is inline. Only the script carrying this response's nonce may run, so even a
    // value that escaped escaping could not execute; nothing may load from elsewhere.
    const std::string nonce = protocol::random_uuid();
    response.set("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-" + nonce +
                     "'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; "
                     "frame-ancestors 'none'");
    response.set("X-Content-Type-Options", "nosniff");
    response.body() = render_status_page(gather_status(module, lag, sources), nonce);
    return response;
}

}  // namespace

void add_status_routes(Router& router, const LocalModule& module, const LagHistory& lag,
                       const StatusSources& sources) {
    const auto page = [&module, &lag, &sources](const RequestContext&) {
        return html_page(module, lag, sources);
    };
    router.add(http::verb::get, "/", page);
    router.add(http::verb::get, "/status", page);
    router.add(http::verb::get, "/api/v1/status/page",
               [&module, &lag, &sources](const RequestContext&) {
                   Response response = json_response(
                       http::status::ok, render_status_json(gather_status(module, lag, sources)));
                   response.set(http::field::cache_control, "no-store");
                   return response;
               });
}

}  // namespace piotd::daemon
