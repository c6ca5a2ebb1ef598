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
    // The store's local module piotd stands in front of: its status is mirrored in /status
    // (`localModule`) and the checks ask it first. Null: none.
    const LocalModuleStatusProvider* upstream_lm = nullptr;
    LmClient* front = nullptr;
    // Scan-ahead: told the codes of every LM-API check, to check them ahead of their sale
    // (PermissiveMode::check_ahead). Empty: off.
    std::function<void(std::vector<FrontCheckCode>)> seen;
    // Told the КИ the LM reported blocked, for the `learned` list (PermissiveMode::learn).
    std::function<void(std::vector<std::string>)> learn;
};

}  // namespace piotd::daemon
