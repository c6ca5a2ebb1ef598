// POST /api/v1/documents and GET /api/v1/documents/{id}, and the outbox read API for the status
// page, metrics and piotctl (docs/relay.md "API").
#pragma once

#include "daemon/http/router.hpp"
#include "daemon/relay/relay_service.hpp"

namespace piotd::daemon {

Response handle_document_post(RelayService& relay, const RequestContext& context);
Response handle_document_get(RelayService& relay, const RequestContext& context);
Response handle_outbox_summary(RelayService& relay, const RequestContext& context);
Response handle_outbox_get(RelayService& relay, const RequestContext& context);
Response handle_outbox_retry(RelayService& relay, const RequestContext& context);

}  // namespace piotd::daemon
