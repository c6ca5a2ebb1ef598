// The request and response types every handler speaks.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory_resource>

namespace piotd::daemon {

namespace http = boost::beast::http;

// A request's target and header fields live in memory its connection provides (a small arena,
// reset between requests) instead of one heap allocation each: three per check request, a
// quarter of the allocator's work (callgrind). A Request built elsewhere (a test, a copy) uses
// the default resource, which is new/delete; copies never keep a connection's arena.
using RequestAllocator = std::pmr::polymorphic_allocator<char>;
using RequestFields = http::basic_fields<RequestAllocator>;
using Request = http::request<http::string_body, RequestFields>;
using Response = http::response<http::string_body>;

}  // namespace piotd::daemon
