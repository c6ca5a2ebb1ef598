#include "daemon/relay/relay_routes.hpp"

#include "daemon/relay/document_handlers.hpp"
#include "daemon/relay/sale_handlers.hpp"

namespace piotd::daemon {

void add_relay_routes(Router& router, RelayService& relay) {
    using http::verb;
    using protocol::DocumentType;
    router.add(verb::post, "/api/v2/cis/sell", [&relay](const RequestContext& c) {
        return handle_sale(relay, c, DocumentType::withdrawal);
    });
    router.add(verb::post, "/api/v2/cis/return", [&relay](const RequestContext& c) {
        return handle_sale(relay, c, DocumentType::return_);
    });
    router.add(verb::get, "/api/v2/cis/sold",
               [&relay](const RequestContext& c) { return handle_sold(relay, c); });
    router.add(verb::post, "/api/v1/documents",
               [&relay](const RequestContext& c) { return handle_document_post(relay, c); });
    router.add(verb::post, "/api/v1/documents/batch",
               [&relay](const RequestContext& c) { return handle_document_batch(relay, c); });
    router.add(verb::get, "/api/v1/documents/*",
               [&relay](const RequestContext& c) { return handle_document_get(relay, c); });
    router.add(verb::get, "/api/v1/outbox",
               [&relay](const RequestContext& c) { return handle_outbox_summary(relay, c); });
    router.add(verb::get, "/api/v1/outbox/*",
               [&relay](const RequestContext& c) { return handle_outbox_get(relay, c); });
    router.add(verb::post, "/api/v1/outbox/*",
               [&relay](const RequestContext& c) { return handle_outbox_retry(relay, c); });
}

}  // namespace piotd::daemon
