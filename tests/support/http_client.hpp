// A small synchronous HTTP/1.1 client over one keep-alive connection, for integration tests.
#pragma once

#include <map>
#include <memory>
#include <string>

namespace piotd::test {

struct HttpReply {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
};

class HttpClient {
public:
    HttpClient(unsigned short port, std::string user = "admin", std::string password = "admin");
    ~HttpClient();

    HttpReply get(const std::string& target);
    HttpReply post(const std::string& target, const std::string& body);
    // Any method; `authorization` empty = send none, "-" = the client's own credentials.
    HttpReply request(const std::string& method, const std::string& target,
                      const std::string& body = {}, const std::string& authorization = "-",
                      const std::map<std::string, std::string>& headers = {});

    // Sends raw bytes on a new connection and returns whatever comes back until close/timeout.
    // `half_close` shuts the sending side after the bytes, as a client that gives up would.
    static std::string raw_exchange(unsigned short port, const std::string& bytes,
                                    int timeout_ms = 2000, bool half_close = false);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string authorization_;
};

// "Basic base64(user:password)".
std::string basic_authorization(const std::string& user, const std::string& password);
// RFC 3986 percent-encoding of everything but unreserved characters.
std::string url_encode(const std::string& text);

}  // namespace piotd::test
