// MarkedItemChecker on the offline LM path: the code is parsed as the LM check does, looked up
// in the black lists and the local sold set; a blocked or already sold code is refused. The tag
// 1260 carries 1265 in the LM's offline form UUID=<reqId>&Time=<ms>&Inst=<inst>&Ver=<version>
// (lm-api.md §8).
#pragma once

#include "daemon/kkt/marked_item_checker.hpp"
#include "daemon/local_module.hpp"

namespace piotd::daemon {

class OfflineMarkedItemChecker : public MarkedItemChecker {
public:
    explicit OfflineMarkedItemChecker(const LocalModule& module) : module_(module) {}
    MarkedItemVerdict check(std::string_view code) override;

private:
    const LocalModule& module_;
};

// Tag 1260 with the fixed 1262/1263/1264 of the marking rules (ФОИВ 030, 21.11.2023, 1944) and
// the given 1265 value.
std::vector<std::uint8_t> industry_requisite_1260(std::string_view value_1265);

}  // namespace piotd::daemon
