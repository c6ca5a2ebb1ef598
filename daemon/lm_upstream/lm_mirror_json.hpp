// The `localModule` object of GET /api/v1/status and of the status page's JSON
// (docs/local-module.md): the LM's own field names as it sent them (status, inst, version,
// lastSync, dbVersion, operationMode, requiresDownload, replicationStatus / dbState), plus what
// piotd knows of it (url, apiVersion, reachable, lastError, checkedAt, syncDeadline, circuit,
// check counters).
#pragma once

#include <cstdint>

#include "daemon/lm_upstream/lm_mirror.hpp"
#include "protocol/json/json_writer.hpp"

namespace piotd::daemon {

// full: everything above. health: what an anonymous monitoring poll needs to tell whether the
// LM is healthy (reachable, status, operationMode, lastSync, syncDeadline, requiresDownload,
// checkedAt, lastOk, circuit): no URL, identity, error texts or counters.
enum class LmMirrorView : std::uint8_t { full, health };
void write_lm_mirror(protocol::JsonWriter& writer, const LmMirror& mirror,
                     LmMirrorView view = LmMirrorView::full);

}  // namespace piotd::daemon
