// The LM v2 sold-set endpoints (lm-api.md §4), answered from the local sold set:
//   POST /api/v2/cis/sell    {"cis_list":[…]}  201 {"results":[{"success":true,"cis":…}]}
//   POST /api/v2/cis/return  {"cis_list":[…]}  200, same shape
//   GET  /api/v2/cis/sold?skip=N&limit=M      {"total_count":…, "cis_list":[…]} (M ≤ 1000)
// A sale changes the sold set and enqueues its document in one transaction (document_intake).
#pragma once

#include "daemon/http/router.hpp"
#include "daemon/relay/relay_service.hpp"

namespace piotd::daemon {

Response handle_sale(RelayService& relay, const RequestContext& context,
                     protocol::DocumentType type);
Response handle_sold(RelayService& relay, const RequestContext& context);

}  // namespace piotd::daemon
