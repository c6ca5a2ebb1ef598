// Verdicts checked ahead of the sale (docs/local-module.md "Scan-ahead"): when the scanner, the
// image endpoint or an LM-API check sees a code, the online/LM check runs in the background and
// its answer waits here, so the sale's check (POST /api/v1/piot/check, /api/v1/kkt/receipt, the
// ТС ПИоТ API) finds it ready and answers in microseconds, with that check's reqId.
//
// Only checks made ahead are kept, and each is taken by one sale check at most, within the
// window: a receipt position always carries the reqId of the check that covered it, never
// another sale's. The upstream's answer is kept, not the verdict: the sale's own price and
// quantity are decided against it again.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/trueapi/true_api_check.hpp"

namespace piotd::daemon {

struct AheadVerdict {
    bool from_lm = false;  // false: the True API
    std::string req_id;
    std::int64_t req_timestamp_ms = 0;
    std::string inst;     // lm
    std::string version;  // lm
    std::string host;     // online: the CDN host
    std::string industry_prop_value;
    std::string upstream_json;           // the upstream's code object as it sent it
    protocol::TrueApiCodeResult online;  // online: the parsed code object
    // lm: the LM's flags and prices
    bool is_blocked = false;
    bool is_grey_gtin = false;
    bool sold = false;
    std::optional<std::uint32_t> mrp;
    std::optional<std::uint32_t> smp;
};

class VerdictCache {
public:
    using Clock = std::chrono::steady_clock;

    // `window`: how long a verdict checked ahead may be used; at most `max_entries` are kept
    // (the oldest go first).
    VerdictCache(std::chrono::milliseconds window, std::size_t max_entries);

    void put(std::string_view ki, AheadVerdict verdict, Clock::time_point now = Clock::now());
    // The verdicts of every code of a sale check, each taken (it covers this sale only), when
    // every code has one within the window; otherwise nothing, and nothing is taken.
    std::optional<std::vector<AheadVerdict>> take_all(std::span<const std::string_view> kis,
                                                      Clock::time_point now = Clock::now());
    std::size_t size() const;

private:
    struct Entry {
        AheadVerdict verdict;
        Clock::time_point at;
    };
    void evict_oldest();

    const std::chrono::milliseconds window_;
    const std::size_t max_entries_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace piotd::daemon
