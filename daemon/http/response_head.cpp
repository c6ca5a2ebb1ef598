#include "daemon/http/response_head.hpp"

#include <boost/beast/http/status.hpp>

namespace piotd::daemon {

namespace http = boost::beast::http;

void append_response_head(const http::response_header<>& head, std::string& out) {
    const unsigned version = head.version();
    const unsigned code = head.result_int();
    out += "HTTP/";
    out += static_cast<char>('0' + version / 10 % 10);
    out += '.';
    out += static_cast<char>('0' + version % 10);
    out += ' ';
    // A status code has three digits: Beast refuses others when the message is built.
    out += static_cast<char>('0' + code / 100 % 10);
    out += static_cast<char>('0' + code / 10 % 10);
    out += static_cast<char>('0' + code % 10);
    out += ' ';
    const auto reason = head.reason();
    out.append(reason.empty() ? http::obsolete_reason(static_cast<http::status>(code)) : reason);
    out += "\r\n";
    for (const auto& field : head) {
        out.append(field.name_string());
        out += ": ";
        out.append(field.value());
        out += "\r\n";
    }
    out += "\r\n";
}

}  // namespace piotd::daemon
