// GET /api/v1/status/page: the status page's data as JSON, for its own refresh script and for
// piotctl status --json. Absent providers are null ("not configured"); localModule is the object
// of GET /api/v1/status (write_lm_mirror), null without [local_module] url.
#pragma once

#include <string>

#include "daemon/status/status_snapshot.hpp"

namespace piotd::daemon {

std::string render_status_json(const StatusSnapshot& snapshot);

}  // namespace piotd::daemon
