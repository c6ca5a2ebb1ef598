// The answer's head is written by piotd, not by Beast's serializer: it must be byte for byte
// what Beast would have sent, for every shape of answer the daemon builds.
#include <doctest/doctest.h>

#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <sstream>
#include <string>

#include "daemon/http/response_head.hpp"

namespace http = boost::beast::http;

namespace {

// Beast's bytes for the head: the whole message through its serializer, cut at the blank line.
std::string beast_head(const http::response<http::string_body>& response) {
    std::ostringstream out;
    out << response;
    const std::string bytes = out.str();
    return bytes.substr(0, bytes.find("\r\n\r\n") + 4);
}

std::string our_head(const http::response<http::string_body>& response) {
    std::string out;
    piotd::daemon::append_response_head(response.base(), out);
    return out;
}

}  // namespace

TEST_SUITE("daemon.http") {
    TEST_CASE("the answer's head is what Beast's serializer writes") {
        http::response<http::string_body> ok{http::status::ok, 11};
        ok.set(http::field::content_type, "application/json");
        ok.set(http::field::server, "piotd");
        ok.body() = R"({"code":0})";
        ok.prepare_payload();
        CHECK(our_head(ok) == beast_head(ok));
        CHECK(our_head(ok) ==
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nServer: piotd\r\n"
              "Content-Length: 10\r\n\r\n");

        http::response<http::string_body> old{http::status::payload_too_large, 10};
        old.keep_alive(false);
        old.set("X-Custom", "a value with spaces");
        old.prepare_payload();
        CHECK(our_head(old) == beast_head(old));
        CHECK(our_head(old).starts_with("HTTP/1.0 413 Payload Too Large\r\n"));

        http::response<http::string_body> reason{http::status::service_unavailable, 11};
        reason.reason("Not Ready");
        reason.set(http::field::retry_after, "5");
        CHECK(our_head(reason) == beast_head(reason));
        CHECK(our_head(reason).starts_with("HTTP/1.1 503 Not Ready\r\n"));

        // A code with no standard reason keeps its digits; a message with no fields.
        http::response<http::string_body> unknown;
        unknown.version(11);
        unknown.result(299);
        CHECK(our_head(unknown) == beast_head(unknown));
        CHECK(our_head(unknown).starts_with("HTTP/1.1 299 "));
    }
}
