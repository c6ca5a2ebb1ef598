// Every HTTP endpoint of the document relay (docs/relay.md, docs/api.md):
//   POST /api/v2/cis/sell, /api/v2/cis/return, GET /api/v2/cis/sold     (sale_handlers)
//   POST /api/v1/documents, GET /api/v1/documents/{id}                   (document_handlers)
//   GET /api/v1/outbox, GET /api/v1/outbox/{id}, POST /api/v1/outbox/{id}/retry
#pragma once

#include "daemon/http/router.hpp"
#include "daemon/relay/relay_service.hpp"

namespace piotd::daemon {

void add_relay_routes(Router& router, RelayService& relay);

}  // namespace piotd::daemon
