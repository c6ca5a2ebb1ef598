#include "daemon/ops/device_status_list.hpp"

namespace piotd::daemon {

std::vector<DeviceStatus> DeviceStatusList::devices() const {
    std::vector<DeviceStatus> rows;
    rows.reserve(sources_.size());
    for (const Source& source : sources_) rows.push_back(source());
    return rows;
}

}  // namespace piotd::daemon
