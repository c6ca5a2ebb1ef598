#include "daemon/permissive/cdn_hosts_status.hpp"

namespace piotd::daemon {

std::vector<CdnHostStatus> CdnHostsStatus::cdn_hosts() const {
    const std::int64_t now = clock_.now_ms();
    std::vector<CdnHostStatus> out;
    for (const CdnHost& host : client_.hosts().hosts) {
        CdnHostStatus status;
        status.host = host.url;
        if (host.avg_time_ms > 0) status.avg_time_ms = static_cast<double>(host.avg_time_ms);
        status.blocked = host.blocked_until_ms > now;
        status.blocked_until_ms = status.blocked ? host.blocked_until_ms : 0;
        out.push_back(std::move(status));
    }
    return out;
}

}  // namespace piotd::daemon
