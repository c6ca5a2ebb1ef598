#include "daemon/replication/sync_route.hpp"

#include "daemon/http/json_error.hpp"
#include "daemon/http/json_response.hpp"

namespace piotd::daemon {

void add_sync_route(Router& router, Replicator* const& replicator) {
    router.add(http::verb::post, "/api/v1/replication/sync", [&replicator](const RequestContext&) {
        if (replicator == nullptr) {
            return json_error(http::status::conflict, ApiError::no_upstream,
                              "this piotd has no replication upstream ([upstream] url)");
        }
        replicator->sync_now();
        return json_response(http::status::accepted, R"({"sync":"requested"})");
    });
}

}  // namespace piotd::daemon
