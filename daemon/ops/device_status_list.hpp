// The status page's device source (StatusSources::devices): one row per configured device, each
// read from its driver's service when the page is gathered.
#pragma once

#include <functional>
#include <vector>

#include "daemon/status/status_providers.hpp"

namespace piotd::daemon {

class DeviceStatusList : public DeviceStatusProvider {
public:
    using Source = std::function<DeviceStatus()>;
    // Add every source before the server starts (the list is not locked).
    void add(Source source) { sources_.push_back(std::move(source)); }
    bool empty() const { return sources_.empty(); }
    std::vector<DeviceStatus> devices() const override;

private:
    std::vector<Source> sources_;
};

}  // namespace piotd::daemon
