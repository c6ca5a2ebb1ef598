#include "daemon/metrics/metrics_routes.hpp"

namespace piotd::daemon {

void add_metrics_routes(Router& router, const MetricsRegistry& registry, bool open) {
    router.add(
        http::verb::get, "/metrics",
        [&registry](const RequestContext&) {
            Response response(http::status::ok, 11);
            response.set(http::field::content_type, kPrometheusContentType);
            response.set(http::field::cache_control, "no-store");
            response.body() = registry.render();
            return response;
        },
        open ? Access::open : Access::authenticated);
}

}  // namespace piotd::daemon
