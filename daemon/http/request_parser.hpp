// The parser every connection reads its requests with: Beast's request parser, except that the
// header fields no handler reads are not stored. Each stored field is an element in the
// request's fields (a name-ordered set and a list), ~125 instructions each under callgrind:
// dropping Host from wrk's two-field check request took 9,782 to 9,532 per request, and a POS
// sends more of the dropped fields (User-Agent, Accept, Accept-Encoding, Connection).
#pragma once

#include <boost/beast/http/parser.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "daemon/http/http_types.hpp"

namespace piotd::daemon {

// False for the fields dropped: the ones Beast's parser has already acted on (its keep-alive,
// length flags are what the session reads) and the ones every client sends that
// piotd never looks at. Everything else, unknown names included, is kept: a handler reading a
// new header sees it without a change here.
bool stored_request_field(http::field name);

class RequestParser : public http::request_parser<http::string_body, RequestAllocator> {
public:
    using http::request_parser<http::string_body, RequestAllocator>::request_parser;

    // The first Host field (data() null: none), not stored in the message, as on the plain
    // path: the session's Host check reads it here. host_count() says how many the head had.
    std::string_view host() const { return host_count_ == 0 ? std::string_view() : host_; }
    std::size_t host_count() const { return host_count_; }

private:
    void on_field_impl(http::field name, boost::beast::string_view name_string,
                       boost::beast::string_view value, boost::beast::error_code&) override {
        if (name == http::field::host && host_count_++ == 0) host_.assign(value);
        if (stored_request_field(name)) get().insert(name, name_string, value);
    }

    std::string host_;
    std::size_t host_count_ = 0;
};

}  // namespace piotd::daemon
