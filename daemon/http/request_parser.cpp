#include "daemon/http/request_parser.hpp"

namespace piotd::daemon {

bool stored_request_field(http::field name) {
    switch (name) {
        // Acted on by the parser itself.
        case http::field::connection:
        case http::field::content_length:
        case http::field::keep_alive:
        case http::field::proxy_connection:
        // Sent by every client, read by no handler (piotd serves one kind of body). Host is
        // read by the session's Host check from the parser (RequestParser::host), not here.
        case http::field::host:
        case http::field::user_agent:
        case http::field::accept:
        case http::field::accept_encoding:
        case http::field::accept_language:
        case http::field::cache_control:
        case http::field::pragma:
            return false;
        default:
            return true;
    }
}

}  // namespace piotd::daemon
