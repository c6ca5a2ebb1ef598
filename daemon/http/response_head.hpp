// The status line and header fields of an answer, as bytes for the socket. Beast's serializer
// produces the same bytes, but through layers of buffer views that cost more CPU per request
// than the check itself (perf, 32 keep-alive connections); an answer's head is small and built
// once, so one contiguous string is the cheaper form.
#pragma once

#include <boost/beast/http/message.hpp>

#include <string>

namespace piotd::daemon {

// Appends "HTTP/1.x <code> <reason>\r\n", every field as "name: value\r\n" in order, and the
// blank line to `out`. The reason is the message's own, or the standard one for its status.
void append_response_head(const boost::beast::http::response_header<>& head, std::string& out);

}  // namespace piotd::daemon
