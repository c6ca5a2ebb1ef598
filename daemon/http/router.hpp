// Dispatch by method and path, with Basic auth and the error boundary in one place: a handler
// that throws never takes the daemon down; the client gets a JSON 500/503 and the next request
// is served as usual. Auth is decided per route (Access, Roles) and per listener (Listener): the
// LM's status answers monitoring without credentials on a loopback listener only. The same
// decision is made from the head alone before a body is read (refuse_head), so a client
// without the right credentials never makes piotd hold its body.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/http/basic_auth.hpp"
#include "daemon/http/request_handler.hpp"
#include "daemon/http/role.hpp"
#include "daemon/http/route_observer.hpp"

namespace piotd::daemon {

// Who can reach a listener. `loopback`: the plain listener bound to 127.0.0.0/8 or ::1, so
// only processes of this machine. `network`: any other address (0.0.0.0, a LAN address), and
// the TLS front's connections ([server] tls_listen): they reach piotd over loopback, but their
// clients are on the LAN (main.cpp gives the front a backend of its own, served as `network`).
enum class Listener : std::uint8_t { network, loopback };

// Whether clients on `address` can only be local processes (127.0.0.0/8, ::1, and
// ::ffff:127.x.x.x).
Listener listener_for(const boost::asio::ip::address& address);

struct RequestContext {
    const Request& request;
    std::string_view path;   // target before '?', not decoded
    std::string_view query;  // after '?', not decoded
    // The request carried the right credentials. False on an Access::open route (not checked
    // there) and on an anonymous Access::loopback_open request: handlers leave out what only
    // an authenticated client may read.
    bool authenticated = false;
    Listener listener = Listener::network;
    // The credential's role when authenticated (admin otherwise, unread).
    Role role = Role::admin;
};

using RouteHandler = std::function<Reply(const RequestContext&)>;

enum class Access : std::uint8_t {
    authenticated,  // credentials required (every route unless said otherwise)
    open,           // never asked for credentials (/metrics with [metrics] open, ТС ПИоТ API)
    // Without credentials on a loopback listener (monitoring, as the real LM serves its status);
    // credentials that are sent must be right (a wrong password is 401 as anywhere else). On a
    // network listener: as `authenticated`.
    loopback_open,
};

class Router : public RequestHandler {
public:
    explicit Router(BasicAuth auth) : auth_(std::move(auth)) {}

    // Another role's credential besides the admin's (BasicAuth::add).
    void add_credential(Role role, std::string user, std::string password) {
        auth_.add(role, std::move(user), std::move(password));
    }

    // `path` is matched exactly, or as a prefix when it ends with '*'. Only admin may call it
    // until grant() names more roles.
    void add(http::verb method, std::string path, RouteHandler handler,
             Access access = Access::authenticated);
    // Lets `roles` call the route `method` `path` (spelled as added, '*' included). Returns
    // false when there is no such route (a feature that is not configured).
    bool grant(http::verb method, std::string_view path, Roles roles);

    // As a request of the listener set with set_listener (network unless set).
    Reply handle(const Request& request) override;
    Reply handle(const Request& request, Listener listener);
    // The same decision from the head alone: the refusal (401, 403, 404, 405) when the request
    // would get one whatever its body; none when the route may be called.
    std::optional<Response> refuse_head(const Request& head) override {
        return refuse_head(head, listener_);
    }
    std::optional<Response> refuse_head(const Request& head, Listener listener);
    // What the server that calls handle(request) listens on. Set before the server starts.
    void set_listener(Listener listener) { listener_ = listener; }
    // Routes whose path is `path` accept bodies up to `bytes` (instead of the server default).
    void set_body_limit(std::string path, std::size_t bytes);
    std::size_t max_body_bytes(std::string_view target, std::size_t default_limit) const override;

    // Per-route metrics (daemon/metrics/http_metrics.hpp). Set before the server starts.
    void set_observer(RouteObserver* observer) { observer_ = observer; }
    // "GET /api/v1/status", … in registration order (a prefix route ends with '*').
    struct RouteLabel {
        std::string method;
        std::string pattern;
        Roles roles;
    };
    std::vector<RouteLabel> route_labels() const;

private:
    struct Route {
        http::verb method;
        std::string path;
        bool prefix;
        RouteHandler handler;
        Access access;
        Roles roles;
    };
    // What the head decides: the route to call (index into routes_) with the caller's role, or
    // the refusal.
    struct Admission {
        std::size_t route_index = RouteObserver::kUnmatched;
        std::optional<Response> refusal;
        bool authenticated = false;
        Role role = Role::admin;
    };
    Admission admit(const Request& request, std::string_view path, Listener listener) const;
    Reply guarded_dispatch(const Request& request, Listener listener, std::size_t& route_index);
    Reply dispatch(const Request& request, Listener listener, std::size_t& route_index);

    BasicAuth auth_;
    Listener listener_ = Listener::network;
    std::vector<Route> routes_;
    RouteObserver* observer_ = nullptr;
    std::vector<std::pair<std::string, std::size_t>> body_limits_;
};

// The same routes for a second server that listens elsewhere: its requests are dispatched as
// `listener`'s (the TLS front's backend: network). Forwards every RequestHandler call.
class ListenerRouter final : public RequestHandler {
public:
    ListenerRouter(Router& router, Listener listener) : router_(router), listener_(listener) {}
    Reply handle(const Request& request) override { return router_.handle(request, listener_); }
    std::optional<Response> refuse_head(const Request& head) override {
        return router_.refuse_head(head, listener_);
    }
    std::size_t max_body_bytes(std::string_view target, std::size_t default_limit) const override {
        return router_.max_body_bytes(target, default_limit);
    }

private:
    Router& router_;
    Listener listener_;
};

}  // namespace piotd::daemon
