// Told about every request the router answered, for per-route metrics. Routes are identified by
// their index in registration order (Router::route_patterns), never by the raw path, so hostile
// paths cannot grow the number of label values. Called on the I/O thread: must be lock-free.
#pragma once

#include <cstddef>

namespace piotd::daemon {

class RouteObserver {
public:
    // No route for this method and path (404, 405).
    static constexpr std::size_t kUnmatched = static_cast<std::size_t>(-1);
    virtual ~RouteObserver() = default;
    virtual void on_answer(std::size_t route_index, unsigned status) = 0;
};

}  // namespace piotd::daemon
