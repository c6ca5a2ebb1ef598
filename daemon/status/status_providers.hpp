// Optional sources of the status page and /metrics that other components provide. A null
// provider renders as "not configured": the page never shows invented data.
//
// To plug a component in, implement its interface and set the pointer in StatusSources (see
// daemon/ops/operations.hpp, Operations::sources()) before the server starts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/checks/recent_checks.hpp"
#include "daemon/lm_upstream/lm_mirror.hpp"
#include "daemon/status/upstream_health.hpp"

namespace piotd::daemon {

// The sell/return outbox relay.
struct OutboxStatus {
    std::uint64_t queued = 0;
    std::optional<std::int64_t> oldest_age_ms;  // none when the queue is empty
    std::uint64_t dead_letters = 0;
    // The relay's: queue_large, queue_old, dead_letters, disk_low.
    std::vector<std::string> warnings;
};
class OutboxStatusProvider {
public:
    virtual ~OutboxStatusProvider() = default;
    virtual OutboxStatus outbox_status() const = 0;
};

// Permissive mode's CDN hosts (True API /cdn/info): their measured speed and blocks.
struct CdnHostStatus {
    std::string host;
    std::optional<double> avg_time_ms;
    bool blocked = false;
    std::int64_t blocked_until_ms = 0;  // 0: not blocked or unknown
};
class CdnStatusProvider {
public:
    virtual ~CdnStatusProvider() = default;
    virtual std::vector<CdnHostStatus> cdn_hosts() const = 0;
};

// Scanner and register drivers.
struct DeviceStatus {
    std::string kind;    // "scanner", "register"
    std::string name;    // port or model
    std::string state;   // "ok", "disconnected", "error", …
    std::string detail;  // last error or firmware; may be device text: escape it
};
class DeviceStatusProvider {
public:
    virtual ~DeviceStatusProvider() = default;
    virtual std::vector<DeviceStatus> devices() const = 0;
};

// The store's local module piotd stands in front of (docs/local-module.md): its mirrored status.
class LocalModuleStatusProvider {
public:
    virtual ~LocalModuleStatusProvider() = default;
    virtual LmMirror local_module() const = 0;
};

struct StatusSources {
    std::vector<const UpstreamHealth*> upstreams;  // replication; permissive mode adds its own
    const OutboxStatusProvider* outbox = nullptr;
    const CdnStatusProvider* cdn = nullptr;
    const LocalModuleStatusProvider* local_module = nullptr;
    const DeviceStatusProvider* devices = nullptr;
    const RecentChecksProvider* checks = nullptr;
};

}  // namespace piotd::daemon
