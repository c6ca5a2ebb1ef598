#include "daemon/lm/lm_routes.hpp"

#include "daemon/lm/check_handler.hpp"
#include "daemon/lm/init_handler.hpp"
#include "daemon/lm/status_handler.hpp"

namespace piotd::daemon {

namespace {

// Records the optional X-ClientId (the fiscal drive number) of every authenticated LM request;
// an anonymous status poll (monitoring) cannot add entries to the list the POS clients are in.
RouteHandler recording_client(LocalModule& module, RouteHandler handler) {
    return [&module, handler = std::move(handler)](const RequestContext& context) {
        if (context.authenticated) {
            const auto it = context.request.find("X-ClientId");
            if (it != context.request.end()) {
                module.clients().record(it->value(), module.now_ms());
            }
        }
        return handler(context);
    };
}

}  // namespace

void add_lm_routes(Router& router, LocalModule& module, const LmRouteOptions& options) {
    // Read at each request: main fills the options in after adding the routes.
    const LmRouteOptions* lm = &options;
    using http::verb;
    using protocol::LmApiVersion;
    const auto add = [&](verb method, const char* path, RouteHandler handler,
                         Access access = Access::authenticated) {
        router.add(method, path, recording_client(module, std::move(handler)), access);
    };
    // Monitoring polls the status with bare curl, as the real LM allows (docs/api.md).
    const Access status_access =
        options.status_open ? Access::loopback_open : Access::authenticated;
    for (const LmApiVersion api : {LmApiVersion::v1, LmApiVersion::v2}) {
        const std::string prefix = api == LmApiVersion::v1 ? "/api/v1" : "/api/v2";
        add(
            verb::get, (prefix + "/status").c_str(),
            [&module, api, lm](const RequestContext& c) {
                return handle_status(module, api, lm->upstream_lm,
                                     c.authenticated ? StatusView::full : StatusView::anonymous);
            },
            status_access);
        add(verb::post, (prefix + "/init").c_str(),
            [&module](const RequestContext& c) { return handle_init(module, c); });
        add(verb::get, (prefix + "/cis/outCheck").c_str(),
            [&module, api, lm](const RequestContext& c) {
                return handle_check_get(module, c, api, lm);
            });
        add(verb::post, (prefix + "/cis/outCheck").c_str(),
            [&module, api, lm](const RequestContext& c) {
                return handle_check_post(module, c, api, lm);
            });
    }
    // The deprecated v1 check (lm-api.md §3.3, §3.4), still served.
    add(verb::get, "/api/v1/cis/check", [&module, lm](const RequestContext& c) {
        return handle_check_get(module, c, LmApiVersion::v1, lm);
    });
    add(verb::post, "/api/v1/cis/check", [&module, lm](const RequestContext& c) {
        return handle_check_post(module, c, LmApiVersion::v1, lm);
    });
}

}  // namespace piotd::daemon
