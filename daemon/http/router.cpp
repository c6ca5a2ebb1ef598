#include "daemon/http/router.hpp"

#include "daemon/http/cross_site.hpp"
#include "daemon/http/json_error.hpp"
#include "daemon/log.hpp"
#include "storage/storage_error.hpp"

namespace piotd::daemon {

Listener listener_for(const boost::asio::ip::address& address) {
    if (address.is_loopback()) return Listener::loopback;
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        const auto v4 =
            boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
        if (v4.is_loopback()) return Listener::loopback;
    }
    return Listener::network;
}

namespace {

Response unauthorized() {
    Response response = json_error(http::status::unauthorized, ApiError::unauthorized,
                                   "missing or wrong Basic credentials");
    response.set(http::field::www_authenticate, "Basic realm=\"piotd\"");
    return response;
}

Response forbidden(Role role) {
    return json_error(
        http::status::forbidden, ApiError::forbidden_role,
        "the " + std::string(role_name(role)) + " credential may not call this endpoint");
}

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

}  // namespace

void Router::add(http::verb method, std::string path, RouteHandler handler, Access access) {
    const bool prefix = !path.empty() && path.back() == '*';
    if (prefix) path.pop_back();
    routes_.push_back(
        Route{method, std::move(path), prefix, std::move(handler), access, Roles(Role::admin)});
}

bool Router::grant(http::verb method, std::string_view path, Roles roles) {
    const bool prefix = !path.empty() && path.back() == '*';
    if (prefix) path.remove_suffix(1);
    bool found = false;
    for (Route& route : routes_) {
        if (route.method == method && route.path == path && route.prefix == prefix) {
            route.roles = route.roles | roles;
            found = true;
        }
    }
    return found;
}

std::vector<Router::RouteLabel> Router::route_labels() const {
    std::vector<RouteLabel> labels;
    labels.reserve(routes_.size());
    for (const Route& route : routes_) {
        labels.push_back({std::string(http::to_string(route.method)),
                          route.prefix ? route.path + "*" : route.path, route.roles});
    }
    return labels;
}

void Router::set_body_limit(std::string path, std::size_t bytes) {
    body_limits_.emplace_back(std::move(path), bytes);
}

std::size_t Router::max_body_bytes(std::string_view target, std::size_t default_limit) const {
    const std::string_view path = target.substr(0, target.find('?'));
    for (const auto& [limit_path, bytes] : body_limits_) {
        if (limit_path == path) return bytes;
    }
    return default_limit;
}

Reply Router::handle(const Request& request) {
    return handle(request, listener_);
}

Reply Router::handle(const Request& request, Listener listener) {
    std::size_t route_index = RouteObserver::kUnmatched;
    Reply reply = guarded_dispatch(request, listener, route_index);
    if (observer_ != nullptr) observer_->on_answer(route_index, reply.response.result_int());
    return reply;
}

Reply Router::guarded_dispatch(const Request& request, Listener listener,
                               std::size_t& route_index) {
    try {
        return dispatch(request, listener, route_index);
    } catch (const storage::StorageError& e) {
        log_error("storage", e.what());
        const auto status = http::status::service_unavailable;
        return json_error(status, ApiError::storage_unavailable,
                          e.map_full() ? "local database is full; raise map_size_mb"
                                       : "local database is unavailable");
    } catch (const std::exception& e) {
        log_error("http", e.what());
        return json_error(http::status::internal_server_error, ApiError::internal,
                          "internal error");
    }
}

std::optional<Response> Router::refuse_head(const Request& head, Listener listener) {
    Admission admission = admit(head, path_of(head.target()), listener);
    if (admission.refusal && observer_ != nullptr) {
        observer_->on_answer(admission.route_index, admission.refusal->result_int());
    }
    return std::move(admission.refusal);
}

Router::Admission Router::admit(const Request& request, std::string_view path,
                                Listener listener) const {
    Admission admission;
    const Route* path_match = nullptr;
    for (const Route& route : routes_) {
        const bool matches = route.prefix ? path.starts_with(route.path) : path == route.path;
        if (!matches) continue;
        path_match = &route;
        if (route.method != request.method()) continue;
        admission.route_index = static_cast<std::size_t>(&route - routes_.data());
        // Reads have no effect; anything else from another site's page is refused first.
        if (request.method() != http::verb::get && request.method() != http::verb::head) {
            if (auto refused = refuse_cross_site(request)) {
                admission.refusal = std::move(refused);
                return admission;
            }
        }
        switch (route.access) {
            case Access::open:
                return admission;
            case Access::loopback_open:
                // Anonymous only where every client is a local process; credentials that are sent
                // are checked everywhere, so a POS with a wrong password learns it from /status.
                if (listener == Listener::loopback && !BasicAuth::offered(request)) {
                    return admission;
                }
                [[fallthrough]];
            case Access::authenticated: {
                const std::optional<Role> role = auth_.role_of(request);
                if (!role) {
                    admission.refusal = unauthorized();
                } else if (!route.roles.contains(*role)) {
                    admission.refusal = forbidden(*role);
                } else {
                    admission.authenticated = true;
                    admission.role = *role;
                }
                return admission;
            }
        }
        return admission;
    }
    if (path_match != nullptr) {
        admission.refusal =
            json_error(http::status::method_not_allowed, ApiError::method_not_allowed,
                       "method not allowed for this path");
    } else {
        admission.refusal =
            json_error(http::status::not_found, ApiError::not_found, "no such endpoint");
    }
    return admission;
}

Reply Router::dispatch(const Request& request, Listener listener, std::size_t& route_index) {
    const std::string_view target = request.target();
    const std::size_t question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const std::string_view query =
        question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
    Admission admission = admit(request, path, listener);
    route_index = admission.route_index;
    if (admission.refusal) return std::move(*admission.refusal);
    return routes_[route_index].handler(
        RequestContext{request, path, query, admission.authenticated, listener, admission.role});
}

}  // namespace piotd::daemon
