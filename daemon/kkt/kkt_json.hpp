// JSON bodies of the fiscal register's endpoints (docs/drivers.md).
#pragma once

#include <string>

#include "daemon/kkt/kkt_worker.hpp"
#include "daemon/kkt/receipt_flow.hpp"

namespace piotd::daemon {

// GET /api/v1/kkt/status
std::string kkt_status_json(const KktState& state);
// POST /api/v1/kkt/receipt, 200
std::string receipt_success_json(const ReceiptSuccess& success, const std::string& fn_number);
// POST /api/v1/kkt/receipt, 4xx/5xx: the usual error fields plus what happened and what to do.
std::string receipt_failure_json(const ReceiptFailure& failure);

}  // namespace piotd::daemon
