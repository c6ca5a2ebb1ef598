#include "daemon/scanner/scanner_routes.hpp"

#include "daemon/http/json_response.hpp"

namespace piotd::daemon {

void add_scanner_routes(Router& router, ScannerService& service, ScanEventHub& hub) {
    router.add(http::verb::get, "/api/v1/scanner/events", [&hub](const RequestContext&) {
        Response head{http::status::ok, 11};
        head.set(http::field::content_type, "text/event-stream; charset=utf-8");
        head.set(http::field::cache_control, "no-cache");
        head.set("X-Accel-Buffering", "no");  // a reverse proxy must not hold events back
        return Reply(std::move(head), hub.subscribe());
    });
    router.add(http::verb::get, "/api/v1/scanner/status", [&service](const RequestContext&) {
        return json_response(http::status::ok, service.status_json());
    });
}

}  // namespace piotd::daemon
