#include "daemon/demo_data.hpp"

#include <array>

namespace piotd::daemon {

namespace {

constexpr std::array<std::string_view, 8> kBlockedCis = {
    // The sandbox's known-blocked codes (lm-api.md Appendix A, corrected forms).
    "0104670019034189215HDGZDLEP8ZXt",
    "0104640023469822215c.222",
    // Printed as 0102467100706916satNelt6iB892: the AI 21 was lost; the 13-char serial restored.
    "010246710070691621satNelt6iB892",
    // Printed with a doubled digit (01048500130000162215…); the guide's own answer shows this one.
    "0104850013000162215!!Y!BsOtaR_n",
    // Real-shaped codes of other groups (codes-peers.md §A.8), blocked for the demo.
    "0104653820923088215GoNfWgdcBeVZ\x1d"
    "93dGVz",
    "010460708021818721&dAIMqnpEQnQ!",
    "0104670540176099215'W9Um",
    "00840147505712Zz;ZnRbAAAAdGVz",
};

constexpr std::array<std::string_view, 2> kBlockedGtin = {
    "04601662000016",  // dairy: every code of this GTIN is blocked
    "04610053149777",
};

constexpr std::array<std::string_view, 1> kBlockedSeries = {
    "04680029460908 5jcm",  // codes of this GTIN whose serial starts with 5jcm
};

constexpr std::array<std::string_view, 2> kMinPrice = {
    "04601653035829 10000",   // tobacco pack: minimum price 100.00
    "04610136280571 110000",  // tobacco block: 1100.00
};

}  // namespace

std::span<const std::string_view> demo_list(storage::ListName list) {
    switch (list) {
        case storage::ListName::blocked_cis:
            return kBlockedCis;
        case storage::ListName::blocked_gtin:
            return kBlockedGtin;
        case storage::ListName::blocked_series:
            return kBlockedSeries;
        case storage::ListName::min_price:
            return kMinPrice;
        case storage::ListName::learned:
            return {};  // filled by the checks the store's LM or the True API answers blocked
    }
    return {};
}

}  // namespace piotd::daemon
