// Dispatch by method and path, with Basic auth and the error boundary in one place: a handler
// that throws never takes the daemon down; the client gets a JSON 500/503 and the next request
// is served as usual.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/http/basic_auth.hpp"
#include "daemon/http/request_handler.hpp"
#include "daemon/http/route_observer.hpp"

namespace piotd::daemon {

struct RequestContext {
    const Request& request;
    std::string_view path;   // target before '?', not decoded
    std::string_view query;  // after '?', not decoded
};

using RouteHandler = std::function<Reply(const RequestContext&)>;

enum class Access : std::uint8_t { authenticated, open };

class Router : public RequestHandler {
public:
    explicit Router(BasicAuth auth) : auth_(std::move(auth)) {}

    // `path` is matched exactly, or as a prefix when it ends with '*'.
    void add(http::verb method, std::string path, RouteHandler handler,
             Access access = Access::authenticated);

    Reply handle(const Request& request) override;
    // Routes whose path is `path` accept bodies up to `bytes` (instead of the server default).
    void set_body_limit(std::string path, std::size_t bytes);
    std::size_t max_body_bytes(std::string_view target, std::size_t default_limit) const override;

    // Per-route metrics (daemon/metrics/http_metrics.hpp). Set before the server starts.
    void set_observer(RouteObserver* observer) { observer_ = observer; }
    // "GET /api/v1/status", … in registration order (a prefix route ends with '*').
    struct RouteLabel {
        std::string method;
        std::string pattern;
    };
    std::vector<RouteLabel> route_labels() const;

private:
    struct Route {
        http::verb method;
        std::string path;
        bool prefix;
        RouteHandler handler;
        Access access;
    };
    Reply guarded_dispatch(const Request& request, std::size_t& route_index);
    Reply dispatch(const Request& request, std::size_t& route_index);

    BasicAuth auth_;
    std::vector<Route> routes_;
    RouteObserver* observer_ = nullptr;
    std::vector<std::pair<std::string, std::size_t>> body_limits_;
};

}  // namespace piotd::daemon
