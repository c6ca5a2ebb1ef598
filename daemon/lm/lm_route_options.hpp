// What the LM API's routes know beside the module itself (docs/local-module.md).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "daemon/lm/lm_front_check.hpp"
#include "daemon/lm_upstream/lm_client.hpp"
#include "daemon/status/status_providers.hpp"

namespace piotd::daemon {

struct LmRouteOptions {
    // GET /api/v{1,2}/status without credentials on a loopback listener ([auth] status_open,
    // Access::loopback_open); the anonymous answer leaves out what only the POS may read.
    bool status_open = true;
    // The store's local module piotd stands in front of: its status is mirrored in /status
    // (`localModule`) and the checks ask it first. Null: none.
    const LocalModuleStatusProvider* upstream_lm = nullptr;
    LmClient* front = nullptr;
    // Scan-ahead: told the codes of every LM-API check, to check them ahead of their sale
    // (PermissiveMode::check_ahead), while `ahead_wanted` says an upstream could answer (an LM,
    // or the True API with a token: a few atomic loads, asked before anything is copied).
    // Empty: off.
    std::function<bool()> ahead_wanted;
    std::function<void(std::vector<FrontCheckCode>)> seen;
    // Told the КИ the LM reported blocked, for the `learned` list (PermissiveMode::learn).
    std::function<void(std::vector<std::string>)> learn;
};

}  // namespace piotd::daemon
