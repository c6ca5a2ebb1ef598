// The local module's mirrored status for the status page, /metrics and GET /api/v1/status.
#pragma once

#include "daemon/lm_upstream/lm_client.hpp"
#include "daemon/status/status_providers.hpp"

namespace piotd::daemon {

class LmMirrorStatus : public LocalModuleStatusProvider {
public:
    explicit LmMirrorStatus(const LmClient& client) : client_(client) {}
    LmMirror local_module() const override { return client_.mirror(); }

private:
    const LmClient& client_;
};

}  // namespace piotd::daemon
