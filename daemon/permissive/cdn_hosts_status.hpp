// The status page's CDN section (docs/operations.md) from the True API client's host list: the
// hosts in try order with their health-check avgTimeMs and their 15-minute blocks.
#pragma once

#include "daemon/clock.hpp"
#include "daemon/status/status_providers.hpp"
#include "daemon/trueapi/true_api_client.hpp"

namespace piotd::daemon {

class CdnHostsStatus : public CdnStatusProvider {
public:
    CdnHostsStatus(const TrueApiClient& client, const Clock& clock)
        : client_(client), clock_(clock) {}

    // avg_time_ms is none for a host not measured (0); blocked while its block lasts.
    std::vector<CdnHostStatus> cdn_hosts() const override;

private:
    const TrueApiClient& client_;
    const Clock& clock_;
};

}  // namespace piotd::daemon
