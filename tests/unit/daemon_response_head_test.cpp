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

    // A whole answer's head, written without Content-Type and Content-Length fields, is what
    // Beast sends for the same answer with a JSON type set and prepare_payload called.
    TEST_CASE("a whole answer's head has the type and length that Beast would have set") {
        const auto whole_head = [](const http::response<http::string_body>& response) {
            std::string out;
            piotd::daemon::append_whole_response_head(response.base(), response.body().size(), out);
            return out;
        };
        const auto as_beast_sends = [](http::response<http::string_body> response) {
            if (!response.body().empty() &&
                response.find(http::field::content_type) == response.end()) {
                // Beast appends; the session writes the type first, as json_response used to set
                // it.
                http::response<http::string_body> typed{response.result(), response.version()};
                typed.set(http::field::content_type, piotd::daemon::kJsonContentType);
                for (const auto& field : response) typed.insert(field.name_string(), field.value());
                typed.body() = response.body();
                response = std::move(typed);
            }
            response.prepare_payload();
            return beast_head(response);
        };

        http::response<http::string_body> ok{http::status::ok, 11};
        ok.body() = R"({"code":0})";
        CHECK(whole_head(ok) == as_beast_sends(ok));
        CHECK(whole_head(ok) ==
              "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
              "Content-Length: 10\r\n\r\n");

        http::response<http::string_body> challenge{http::status::unauthorized, 11};
        challenge.set(http::field::www_authenticate, "Basic realm=\"piotd\"");
        challenge.keep_alive(false);
        challenge.body() = "{}";
        CHECK(whole_head(challenge) == as_beast_sends(challenge));

        http::response<http::string_body> html{http::status::ok, 10};
        html.set(http::field::content_type, "text/html; charset=utf-8");
        html.body() = "<p>";
        CHECK(whole_head(html) == as_beast_sends(html));
        CHECK(whole_head(html).find("application/json") == std::string::npos);

        // An empty body has a zero length and no type.
        http::response<http::string_body> empty{http::status::accepted, 11};
        CHECK(whole_head(empty) == as_beast_sends(empty));
        CHECK(whole_head(empty) == "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");

        // Statuses without a body carry no length at all (RFC 9110 §8.6: a server must not send
        // Content-Length in a 204; Beast 1.81's prepare_payload writes "Content-Length: 0").
        http::response<http::string_body> none{http::status::no_content, 11};
        CHECK(whole_head(none) == "HTTP/1.1 204 No Content\r\n\r\n");
        CHECK_FALSE(piotd::daemon::status_allows_body(304));
        CHECK_FALSE(piotd::daemon::status_allows_body(101));
        CHECK(piotd::daemon::status_allows_body(200));
    }
}
