// What the head of a request alone decides, before a byte of its body is read, and the answer
// to a head refused there (session.hpp).
#include <boost/range/iterator_range.hpp>

#include "daemon/http/json_error.hpp"
#include "daemon/http/session.hpp"

namespace piotd::daemon {

namespace beast = boost::beast;

// What the head alone decides, once it is in, before a byte of the body is read: a Host that
// does not name this listener (421), an expectation other than 100-continue (417), the route's
// own refusal of the method or the credentials (401/403/404/405), a declared length over the
// route's body limit (413), no room in the shared body budget (503). Otherwise the route's
// limit is set, and a 100-continue expectation is owed its interim answer if the body is still
// to come.
bool Session::check_head(beast::error_code& ec) {
    decided_.body_limit_applied = true;
    const Request& head = parser_->get();
    if (parser_->host_count() > 1) {
        decided_.refusal = Refusal::repeated_host;
    } else if (!host_allowed(parser_->host(), head.version())) {
        decided_.refusal = Refusal::misdirected;
    }
    if (decided_.refusal == Refusal::none) {
        for (const auto& field :
             boost::make_iterator_range(head.equal_range(http::field::expect))) {
            if (!beast::iequals(field.value(), "100-continue")) {
                decided_.refusal = Refusal::expectation_failed;
                break;
            }
            // An HTTP/1.0 client's expectation is ignored (RFC 9110, 10.1.1).
            decided_.send_continue = head.version() >= 11;
        }
    }
    const auto length = parser_->content_length();
    const bool body_follows = parser_->chunked() || (length && *length > 0);
    if (decided_.refusal == Refusal::none && body_follows) {
        // Auth and route from the head: a client the route would refuse anyway never makes
        // piotd read, or hold, its body.
        decided_.route_refusal = handler_.refuse_head(head);
        if (decided_.route_refusal) decided_.refusal = Refusal::by_route;
    }
    if (decided_.refusal != Refusal::none) {
        ec = http::error::bad_value;  // any error: on_read answers by decided_.refusal
        return false;
    }
    const std::size_t limit = handler_.max_body_bytes(head.target(), limits_.max_body_bytes);
    if (length && *length > limit) {
        ec = http::error::body_limit;
        return false;
    }
    if (body_follows && limits_.body_budget != nullptr) {
        auto reservation = limits_.body_budget->reserve(length ? *length : limit);
        if (!reservation) {
            decided_.refusal = Refusal::bodies_busy;
            ec = http::error::bad_value;
            return false;
        }
        body_reservation_ = std::move(*reservation);
    }
    parser_->body_limit(limit);
    return true;
}

// The answer to a head refused by decided_.refusal, before routing; the connection closes after it
// (the body, if any, is not read: linger discards what the client still sends).
void Session::refuse(unsigned version, std::string_view host) {
    Response response;
    switch (decided_.refusal) {
        case Refusal::misdirected: {
            std::string description = "misdirected request: ";
            if (host.data() == nullptr) {
                description += "no Host field";
            } else {
                // The client's bytes, shortened and reduced to printable ASCII for the log-safe
                // JSON text.
                description += "Host ";
                for (const char c : host.substr(0, 100)) {
                    description += c >= ' ' && c < 0x7F ? c : '?';
                }
                description += " does not designate this server";
            }
            response = json_error(http::status::misdirected_request, ApiError::misdirected_request,
                                  description);
            break;
        }
        case Refusal::repeated_host:
            response = json_error(http::status::bad_request, ApiError::bad_request,
                                  "more than one Host field");
            break;
        case Refusal::by_route:
            response = std::move(*decided_.route_refusal);
            decided_.route_refusal.reset();
            break;
        case Refusal::bodies_busy:
            response = json_error(http::status::service_unavailable, ApiError::bodies_busy,
                                  "too many request bodies on their way, retry shortly");
            response.set(http::field::retry_after, "1");
            break;
        default:
            response = json_error(http::status::expectation_failed, ApiError::expectation_failed,
                                  "only the expectation 100-continue is supported");
            break;
    }
    decided_.refusal = Refusal::none;
    response.version(version);
    response.keep_alive(false);
    send(std::move(response), false);
}

}  // namespace piotd::daemon
