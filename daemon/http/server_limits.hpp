// What one HTTP listener allows a client. Every number is a defence against a hostile or broken
// client, sized so that honest POS software never meets it.
#pragma once

#include <chrono>
#include <cstddef>

#include "daemon/http/body_budget.hpp"
#include "daemon/http/host_names.hpp"

namespace piotd::daemon {

struct ServerLimits {
    std::size_t max_header_bytes = 8 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;  // 10,000 codes of 100 bytes fit
    // A request must arrive whole within this time from its first byte wait (slowloris).
    std::chrono::milliseconds read_timeout{10'000};
    // A keep-alive connection with no request for this long is closed.
    std::chrono::milliseconds idle_timeout{60'000};
    std::chrono::milliseconds write_timeout{10'000};
    std::size_t max_connections = 2048;
    unsigned threads = 2;
    // What a request's Host may name (host_names.hpp); anything else gets 421.
    HostNames hosts;
    // Shared by every listener (body_budget.hpp); null: each body is bounded by its route only.
    BodyBudget* body_budget = &BodyBudget::process();
};

}  // namespace piotd::daemon
