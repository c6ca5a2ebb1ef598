// POST /api/v1/documents and GET /api/v1/documents/{id}, and the outbox read API for the status
// page, metrics and piotctl (docs/relay.md "API").
#pragma once

#include "daemon/http/router.hpp"
#include "daemon/relay/relay_service.hpp"

namespace piotd::daemon {

// Both sign their documents for the True API relay (docs/relay.md "Signing") on the relay's
// signing pool, never on the connection's I/O thread.
Reply handle_document_post(RelayService& relay, const RequestContext& context);
// POST /api/v1/documents/batch {"documents":[…]}: a relaying piotd's documents, each with its
// id, stored in one transaction; 200 with a result per document in order.
Reply handle_document_batch(RelayService& relay, const RequestContext& context);
Response handle_document_get(RelayService& relay, const RequestContext& context);
Response handle_outbox_summary(RelayService& relay, const RequestContext& context);
Response handle_outbox_get(RelayService& relay, const RequestContext& context);
Response handle_outbox_retry(RelayService& relay, const RequestContext& context);

}  // namespace piotd::daemon
