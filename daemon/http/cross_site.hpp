// No effect from a web page of another site (issue 22 item 2): a browser on the till holds the
// Basic credentials (the status page is opened in it) and sends them with any page's request to
// 127.0.0.1. A state-changing request (any method but GET and HEAD) is refused with 403 when the
// browser says it comes from another site — an `Origin` whose host is not the request's Host or
// a loopback name, or `Sec-Fetch-Site: cross-site`/`same-site` — and with 415 when its body has a
// type a page can send without a CORS preflight (text/plain, a form): piotd's bodies are JSON or
// images, which a cross-site page cannot send without a preflight, and piotd answers no CORS.
// Clients that are not browsers send neither header and are not affected.
#pragma once

#include <optional>

#include "daemon/http/http_types.hpp"

namespace piotd::daemon {

std::optional<Response> refuse_cross_site(const Request& request);

}  // namespace piotd::daemon
