// The status line and header fields of an answer, as bytes for the socket. Beast's serializer
// produces the same bytes, but through layers of buffer views that cost more CPU per request
// than the check itself (perf, 32 keep-alive connections); an answer's head is small and built
// once, so one contiguous string is the cheaper form.
#pragma once

#include <boost/beast/http/message.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace piotd::daemon {

// The API's own content type: an answer with a body and no Content-Type field is JSON.
inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

// Appends "HTTP/1.x <code> <reason>\r\n", every field as "name: value\r\n" in order, and the
// blank line to `out`. The reason is the message's own, or the standard one for its status.
// For the head of a streamed answer, whose fields say how its body is framed.
void append_response_head(const boost::beast::http::response_header<>& head, std::string& out);

// The head of a whole answer whose body is `body_size` bytes: as above, plus what Beast's
// prepare_payload would have set — "Content-Length" (none for 1xx, 204 and 304, which have no
// body) — and, first, "Content-Type: application/json; charset=utf-8" when the answer has a
// body and no type of its own. Writing them here, not as fields, spares two field allocations
// per request. `head` must not carry Content-Length or Transfer-Encoding itself.
void append_whole_response_head(const boost::beast::http::response_header<>& head,
                                std::size_t body_size, std::string& out);

// Whether an answer with this status may carry a body (RFC 9110 §6.4.1).
bool status_allows_body(unsigned status);

}  // namespace piotd::daemon
