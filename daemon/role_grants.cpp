#include "daemon/role_grants.hpp"

#include <array>

namespace piotd::daemon {

namespace {

struct Grant {
    http::verb method;
    const char* path;  // as added to the router; '*' ends a prefix route
    Roles roles;
};

using http::verb;
constexpr Roles kPos = Role::pos;
constexpr Roles kReplica = Role::replica;
constexpr Roles kPosAndReplica = Roles(Role::pos) | Roles(Role::replica);

// pos: what a till's POS software calls — checks, sell/return, documents, status and the
// technician's page. replica: what a till's piotd calls on its store — replication reads and
// document intake (a till's relay sends its sales to the store as documents, or in the LM's
// sell/return form when its upstream is given as a local module). Not granted, so admin's only:
// init (the token), outbox retries, a sync on demand, metrics behind auth.
constexpr std::array kGrants{
    // The LM API (lm-api.md).
    Grant{verb::get, "/api/v1/status", kPosAndReplica},
    Grant{verb::get, "/api/v2/status", kPosAndReplica},
    Grant{verb::get, "/api/v1/cis/check", kPos},
    Grant{verb::post, "/api/v1/cis/check", kPos},
    Grant{verb::get, "/api/v1/cis/outCheck", kPos},
    Grant{verb::post, "/api/v1/cis/outCheck", kPos},
    Grant{verb::get, "/api/v2/cis/outCheck", kPos},
    Grant{verb::post, "/api/v2/cis/outCheck", kPos},
    Grant{verb::post, "/api/v2/cis/sell", kPosAndReplica},
    Grant{verb::post, "/api/v2/cis/return", kPosAndReplica},
    Grant{verb::get, "/api/v2/cis/sold", kPos},
    // Permissive mode, the register, the devices.
    Grant{verb::post, "/api/v1/piot/check", kPos},
    Grant{verb::get, "/api/v1/verdict", kPos},
    Grant{verb::get, "/api/v1/journal", kPos},
    Grant{verb::get, "/api/v1/trueapi/hosts", kPos},
    Grant{verb::get, "/api/v1/kkt/status", kPos},
    Grant{verb::post, "/api/v1/kkt/receipt", kPos},
    Grant{verb::get, "/api/v1/scanner/status", kPos},
    Grant{verb::get, "/api/v1/scanner/events", kPos},
    Grant{verb::post, "/api/v1/scan/image", kPos},
    // Documents: written by the POS, and by tills' relays on their store.
    Grant{verb::post, "/api/v1/documents", kPosAndReplica},
    Grant{verb::post, "/api/v1/documents/batch", kPosAndReplica},
    Grant{verb::get, "/api/v1/documents/*", kPosAndReplica},
    Grant{verb::get, "/api/v1/outbox", kPos},
    Grant{verb::get, "/api/v1/outbox/*", kPos},
    // Replication reads (a till's replicator, piotctl doctor on a till).
    Grant{verb::get, "/api/v1/replication/state", kReplica},
    Grant{verb::get, "/api/v1/replication/snapshot", kReplica},
    Grant{verb::get, "/api/v1/replication/changes", kReplica},
    // The status page, for POS technicians.
    Grant{verb::get, "/", kPos},
    Grant{verb::get, "/status", kPos},
    Grant{verb::get, "/api/v1/status/page", kPos},
};

}  // namespace

void grant_roles(Router& router) {
    for (const Grant& grant : kGrants) router.grant(grant.method, grant.path, grant.roles);
}

}  // namespace piotd::daemon
