#include "daemon/http/response_head.hpp"

#include <boost/beast/http/status.hpp>

#include <charconv>
#include <cstring>

namespace piotd::daemon {

namespace http = boost::beast::http;

namespace {

char* put(char* at, std::string_view text) {
    std::memcpy(at, text.data(), text.size());
    return at + text.size();
}

// One header line, "name: value\r\n", and its size.
std::size_t line_size(std::string_view name, std::string_view value) {
    return name.size() + value.size() + 4;
}

char* put_line(char* at, std::string_view name, std::string_view value) {
    at = put(at, name);
    at = put(at, ": ");
    at = put(at, value);
    return put(at, "\r\n");
}

// The lines written before and after the message's own fields (a whole answer's type and length).
struct ExtraLines {
    std::string_view content_type;  // empty: none
    std::string_view content_length;
};

// The size is summed first and the string grown once: appending piece by piece (a capacity check
// per character of the status line) was the larger part of this function's cost.
void write_head(const http::response_header<>& head, const ExtraLines& extra, std::string& out) {
    static constexpr std::string_view kContentType = "Content-Type";
    static constexpr std::string_view kContentLength = "Content-Length";
    const unsigned version = head.version();
    const unsigned code = head.result_int();
    const auto given = head.reason();
    const std::string_view reason =
        given.empty() ? http::obsolete_reason(static_cast<http::status>(code)) : given;
    // "HTTP/1.1 200 ", the reason, "\r\n", and the blank line at the end.
    std::size_t size = 13 + reason.size() + 2 + 2;
    for (const auto& field : head) size += line_size(field.name_string(), field.value());
    if (!extra.content_type.empty()) size += line_size(kContentType, extra.content_type);
    if (!extra.content_length.empty()) size += line_size(kContentLength, extra.content_length);
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
    if (!extra.content_type.empty()) at = put_line(at, kContentType, extra.content_type);
    for (const auto& field : head) at = put_line(at, field.name_string(), field.value());
    if (!extra.content_length.empty()) at = put_line(at, kContentLength, extra.content_length);
    put(at, "\r\n");
}

}  // namespace

bool status_allows_body(unsigned status) {
    return status >= 200 && status != 204 && status != 304;
}

void append_response_head(const http::response_header<>& head, std::string& out) {
    write_head(head, {}, out);
}

void append_whole_response_head(const http::response_header<>& head, std::size_t body_size,
                                std::string& out) {
    char digits[24];
    ExtraLines extra;
    if (status_allows_body(head.result_int())) {
        const auto end = std::to_chars(digits, digits + sizeof digits, body_size).ptr;
        extra.content_length = {digits, static_cast<std::size_t>(end - digits)};
        if (body_size > 0 && head.find(http::field::content_type) == head.end()) {
            extra.content_type = kJsonContentType;
        }
    }
    write_head(head, extra, out);
}

}  // namespace piotd::daemon
