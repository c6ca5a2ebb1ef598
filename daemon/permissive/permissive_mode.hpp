// Permissive mode wired together (docs/permissive-mode.md): the True API client, the check chain,
// the journal, the endpoints on the LM API port and the ТС ПИоТ listener. main() makes one, adds
// its routes, starts it after the HTTP server and stops it before: deferred answers still waiting
// are completed while the HTTP I/O threads can still send them.
#pragma once

#include <memory>

#include "daemon/checks/check_event.hpp"
#include "daemon/http/router.hpp"
#include "daemon/lm/lm_front_check.hpp"
#include "daemon/local_module.hpp"
#include "daemon/permissive/permissive_checker.hpp"
#include "daemon/status/status_providers.hpp"
#include "daemon/status/upstream_health.hpp"

namespace piotd::daemon {

// Where permissive mode reports to operations (docs/operations.md); null: not reported.
struct PermissiveReporting {
    CheckObserver* checks = nullptr;         // every code checked through the chain
    UpstreamHealth* true_api = nullptr;      // every exchange with cdn/info and the CDN hosts
    UpstreamHealth* local_module = nullptr;  // every status poll and check of the store's LM
};

class PermissiveMode {
public:
    PermissiveMode(LocalModule& module, const Clock& clock, PermissiveReporting reporting = {});
    ~PermissiveMode();
    PermissiveMode(const PermissiveMode&) = delete;
    PermissiveMode& operator=(const PermissiveMode&) = delete;

    void add_routes(Router& router);
    // The check chain, for the devices (register, scanner, images): valid for this object's life.
    PermissiveChecker& checker();
    // The CDN hosts for the status page; null when online checks are off (no --true-api).
    const CdnStatusProvider* cdn_status() const;
    // The store's local module (docs/local-module.md); null when none is configured.
    const LocalModuleStatusProvider* local_module_status() const;
    // Its client, for the LM API's checks in front of it; null when none is configured.
    LmClient* local_module_client();
    // Scan-ahead (verdict_cache.hpp): whether verdicts are checked ahead (an upstream to ask and
    // a window), and the check of codes an LM-API check saw, in the background. Bounded: a few
    // codes at a time, a few checks at once; beyond that, codes are not checked ahead.
    bool checks_ahead() const;
    // Whether checking ahead can bring a verdict now: an LM, or the True API with a token.
    bool ahead_wanted() const;
    // КИ an upstream reported blocked, for the `learned` list (the LM API's checks in front of an
    // LM; the chain's own checks are learned from as they are journalled).
    void learn(std::vector<std::string> kis);
    void check_ahead(std::vector<FrontCheckCode> codes);
    void start();
    void stop();

private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

}  // namespace piotd::daemon
