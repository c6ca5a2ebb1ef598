// The `localModule` object of GET /api/v1/status and of the status page's JSON
// (docs/local-module.md): the LM's own field names as it sent them (status, inst, version,
// lastSync, dbVersion, operationMode, requiresDownload, replicationStatus / dbState), plus what
// piotd knows of it (url, apiVersion, reachable, lastError, checkedAt, syncDeadline, circuit,
// check counters).
#pragma once

#include <cstdint>

#include "daemon/lm_upstream/lm_mirror.hpp"
#include "protocol/json_writer.hpp"

namespace piotd::daemon {

void write_lm_mirror(protocol::JsonWriter& writer, const LmMirror& mirror);

}  // namespace piotd::daemon
