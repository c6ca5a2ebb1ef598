// GET /api/v1/status and /api/v2/status.
#pragma once

#include <cstdint>

#include "daemon/http/http_types.hpp"
#include "daemon/local_module.hpp"
#include "daemon/status/status_providers.hpp"
#include "protocol/lm/lm_check_answer.hpp"

namespace piotd::daemon {

// Who asks. `full`: a client with credentials. `anonymous`: monitoring without credentials on a
// loopback listener (Access::loopback_open). The anonymous answer has every field of the real
// LM's status (status, operationMode, version, inst, inn, name, dbVersion, serviceUrl,
// lastSync, lastUpdate, requiresDownload, isGreyGtin, replicationStatus, dbState) but none of
// piotd's additions that name or describe others: no `clients` (the POS' X-ClientId values,
// i.e. fiscal drive numbers, and their request counts), no `lastError` (error texts carry
// host names, paths and upstream answers), and `localModule` cut to its health (reachable,
// status, operationMode, requiresDownload, lastSync, syncDeadline, checkedAt, lastOk, circuit:
// no url, lastError, identity or counters). docs/api.md lists the fields.
enum class StatusView : std::uint8_t { full, anonymous };

// `upstream_lm`: the store's local module piotd stands in front of, shown as `localModule`; null
// when there is none.
Response handle_status(const LocalModule& module, protocol::LmApiVersion api,
                       const LocalModuleStatusProvider* upstream_lm = nullptr,
                       StatusView view = StatusView::full);

}  // namespace piotd::daemon
