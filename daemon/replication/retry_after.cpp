#include "daemon/replication/retry_after.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace piotd::daemon {

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.empty() || value.size() > 12) return std::nullopt;
    std::uint64_t seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc{} || end != value.data() + value.size()) return std::nullopt;
    return std::min(std::chrono::seconds(static_cast<std::int64_t>(seconds)), kMaxRetryAfter);
}

std::chrono::milliseconds jittered_retry_after(std::chrono::seconds retry_after,
                                               std::mt19937_64& random) {
    const std::int64_t base = std::max<std::int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(retry_after).count(), 1000);
    std::uniform_int_distribution<std::int64_t> spread(base, base + base / 2);
    return std::chrono::milliseconds{spread(random)};
}

}  // namespace piotd::daemon
