#include "daemon/http/response_head.hpp"

#include <boost/beast/http/status.hpp>

#include <cstring>

namespace piotd::daemon {

namespace http = boost::beast::http;

namespace {

char* put(char* at, std::string_view text) {
    std::memcpy(at, text.data(), text.size());
    return at + text.size();
}

}  // namespace

// The size is summed first and the string grown once: appending piece by piece (a capacity check
// per character of the status line) was the larger part of this function's cost.
void append_response_head(const http::response_header<>& head, std::string& out) {
    const unsigned version = head.version();
    const unsigned code = head.result_int();
    const auto given = head.reason();
    const std::string_view reason =
        given.empty() ? http::obsolete_reason(static_cast<http::status>(code)) : given;
    // "HTTP/1.1 200 ", the reason, "\r\n", and the blank line at the end.
    std::size_t size = 13 + reason.size() + 2 + 2;
    for (const auto& field : head) {
        size += field.name_string().size() + field.value().size() + 4;  // ": " and "\r\n"
    }
    const std::size_t start = out.size();
    out.resize(start + size);
    char* at = out.data() + start;
    char status_line[] = "HTTP/1.1 200 ";
    status_line[5] = static_cast<char>('0' + version / 10 % 10);
    status_line[7] = static_cast<char>('0' + version % 10);
    // A status code has three digits: Beast refuses others when the message is built.
    status_line[9] = static_cast<char>('0' + code / 100 % 10);
    status_line[10] = static_cast<char>('0' + code / 10 % 10);
    status_line[11] = static_cast<char>('0' + code % 10);
    at = put(at, {status_line, sizeof status_line - 1});
    at = put(at, reason);
    at = put(at, "\r\n");
    for (const auto& field : head) {
        at = put(at, field.name_string());
        at = put(at, ": ");
        at = put(at, field.value());
        at = put(at, "\r\n");
    }
    put(at, "\r\n");
}

}  // namespace piotd::daemon
