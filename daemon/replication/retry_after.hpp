// Retry-After on the till's side (docs/replication.md): a store that is serving as many tills
// as it will answers 503 with Retry-After, and the replicator waits that long, plus jitter,
// instead of its own backoff, so a fleet refused together does not come back together.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

namespace piotd::daemon {

// The longest wait a Retry-After may ask for; longer values are cut to it (a misconfigured
// proxy must not park a till's replication for a day).
inline constexpr std::chrono::seconds kMaxRetryAfter{600};

// delay-seconds (RFC 9110, 10.2.3), cut to kMaxRetryAfter; nullopt for anything else (an
// HTTP-date: a store piotd never sends one, and the till's own backoff applies).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

// The wait for `retry_after`: from that long to half as long again, at least 1 s.
std::chrono::milliseconds jittered_retry_after(std::chrono::seconds retry_after,
                                               std::mt19937_64& random);

}  // namespace piotd::daemon
