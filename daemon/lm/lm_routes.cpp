#include "daemon/lm/lm_routes.hpp"

#include "daemon/lm/check_handler.hpp"
#include "daemon/lm/init_handler.hpp"
#include "daemon/lm/status_handler.hpp"

namespace piotd::daemon {

void add_lm_routes(Router& router, LocalModule& module) {
    using http::verb;
    using protocol::LmApiVersion;
    const auto v1 = LmApiVersion::v1;
    const auto v2 = LmApiVersion::v2;

    router.add(verb::get, "/api/v1/status",
               [&module, v1](auto&) { return handle_status(module, v1); });
    router.add(verb::get, "/api/v2/status",
               [&module, v2](auto&) { return handle_status(module, v2); });
    router.add(verb::post, "/api/v1/init", [&module](auto& c) { return handle_init(module, c); });
    router.add(verb::post, "/api/v2/init", [&module](auto& c) { return handle_init(module, c); });

    for (const char* path : {"/api/v1/cis/check", "/api/v1/cis/outCheck"}) {
        router.add(verb::get, path,
                   [&module, v1](auto& c) { return handle_check_get(module, c, v1); });
        router.add(verb::post, path,
                   [&module, v1](auto& c) { return handle_check_post(module, c, v1); });
    }
    router.add(verb::get, "/api/v2/cis/outCheck",
               [&module, v2](auto& c) { return handle_check_get(module, c, v2); });
    router.add(verb::post, "/api/v2/cis/outCheck",
               [&module, v2](auto& c) { return handle_check_post(module, c, v2); });
}

}  // namespace piotd::daemon
