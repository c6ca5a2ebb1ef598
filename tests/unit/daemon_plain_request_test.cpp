// The plain-request scan (daemon/http/plain_request.hpp): what it reads must be what Beast's
// parser reads from the same bytes, and everything outside its subset is left to Beast. The
// fuzzer fuzz_http_request holds it to Beast on generated input; these are the cases by name.
#include <doctest/doctest.h>

#include <boost/asio/buffer.hpp>

#include <string>
#include <string_view>

#include "daemon/http/plain_request.hpp"
#include "daemon/http/request_parser.hpp"
#include "tests/support/request_difference.hpp"

using namespace piotd::daemon;

namespace {

constexpr std::size_t kHeaderLimit = 8192;

const std::string kCheck =
    "GET /api/v1/cis/check?cis=0104600000000000215NotListed0000 HTTP/1.1\r\n"
    "Host: 127.0.0.1:5995\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\n\r\n";

bool plain(std::string_view bytes) {
    PlainRequest head;
    return scan_plain_request_head(bytes, kHeaderLimit, head);
}

// Scans `bytes`, which must be plain, builds the request, and checks it against Beast's parser
// on the same bytes: the same message, the same keep-alive, the same bytes used.
PlainRequest plain_as_beast_reads_it(const std::string& bytes) {
    PlainRequest head;
    REQUIRE(scan_plain_request_head(bytes, kHeaderLimit, head));
    const std::size_t whole = head.head_size + static_cast<std::size_t>(head.content_length);
    REQUIRE(whole <= bytes.size());
    Request built;
    build_request(head, std::string_view(bytes).substr(head.head_size, head.content_length), built);

    RequestParser parser;
    parser.header_limit(kHeaderLimit);
    parser.eager(true);
    boost::beast::error_code ec;
    const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), whole), ec);
    REQUIRE_MESSAGE(!ec, ec.message());
    REQUIRE(parser.is_done());
    CHECK(used == whole);
    CHECK(parser.keep_alive() == head.keep_alive);
    CHECK(piotd::test::request_difference(built, parser.get()) == "");
    // The Host beside the message, the same in both (absent: a null view in both).
    CHECK(parser.host_count() <= 1);
    CHECK((head.host.data() == nullptr) == (parser.host().data() == nullptr));
    CHECK(head.host == parser.host());
    return head;
}

}  // namespace

TEST_SUITE("daemon.http") {
    TEST_CASE(
        "a check request is plain: the fields Beast acts on or no handler reads are dropped") {
        const PlainRequest head = plain_as_beast_reads_it(kCheck);
        CHECK(head.method == http::verb::get);
        CHECK(head.target == "/api/v1/cis/check?cis=0104600000000000215NotListed0000");
        CHECK(head.version == 11);
        CHECK(head.keep_alive);
        CHECK(head.head_size == kCheck.size());
        REQUIRE(head.field_count == 1);
        CHECK(head.fields[0].name == http::field::authorization);
        CHECK(head.fields[0].value == "Basic YWRtaW46YWRtaW4=");
        CHECK(head.host == "127.0.0.1:5995");
    }

    TEST_CASE("Host is kept beside the fields, trimmed, and read the same by Beast's parser") {
        CHECK(plain_as_beast_reads_it("GET / HTTP/1.1\r\nhOST:  localhost \r\n\r\n").host ==
              "localhost");
        CHECK(plain_as_beast_reads_it("GET / HTTP/1.1\r\nHost: evil.example\r\nX-A: 1\r\n\r\n")
                  .host == "evil.example");
        const PlainRequest none = plain_as_beast_reads_it("GET / HTTP/1.0\r\nX-A: 1\r\n\r\n");
        CHECK(none.host.data() == nullptr);
        const PlainRequest empty = plain_as_beast_reads_it("GET / HTTP/1.1\r\nHost:\r\n\r\n");
        CHECK(empty.host.data() != nullptr);
        CHECK(empty.host.empty());
        // A scan that had a Host forgets it on the next one.
        PlainRequest head;
        REQUIRE(scan_plain_request_head(kCheck, kHeaderLimit, head));
        REQUIRE(scan_plain_request_head("GET / HTTP/1.0\r\n\r\n", kHeaderLimit, head));
        CHECK(head.host.data() == nullptr);

        // Two Host fields: Beast's path, where the session refuses them (400).
        const std::string twice = "GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n";
        CHECK(!plain(twice));
        RequestParser parser;
        parser.eager(true);
        boost::beast::error_code ec;
        parser.put(boost::asio::buffer(twice), ec);
        REQUIRE(!ec);
        CHECK(parser.host_count() == 2);
        CHECK(parser.host() == "localhost");
        CHECK(parser.get().find(http::field::host) == parser.get().end());
    }

    TEST_CASE("a POS request with a body, more fields and names in any case is plain") {
        const std::string text =
            "POST /api/v1/cis/check HTTP/1.1\r\nHOST: 127.0.0.1\r\nuser-agent: pos/1\r\n"
            "Accept: */*\r\nAccept-Encoding: gzip, deflate\r\nconnection: Keep-Alive\r\n"
            "AUTHORIZATION:Basic eDp5  \r\nContent-Type: \tapplication/json\r\n"
            "X-ClientId: till-7\r\nX-Empty:\r\ncontent-LENGTH: 0002\r\n\r\n{}"
            "GET /next HTTP/1.1\r\n\r\n";
        const PlainRequest head = plain_as_beast_reads_it(text);
        CHECK(head.method == http::verb::post);
        CHECK(head.content_length == 2);
        CHECK(head.keep_alive);
        REQUIRE(head.field_count == 4);
        CHECK(head.fields[0].value == "Basic eDp5");  // the whitespace around it trimmed
        CHECK(head.fields[1].name == http::field::content_type);
        CHECK(head.fields[1].value == "application/json");
        CHECK(head.fields[2].name_string == "X-ClientId");
        CHECK(head.fields[3].value.empty());
        // The pipelined request behind it is not part of it.
        CHECK(text.substr(head.head_size + 2, 4) == "GET ");
    }

    TEST_CASE("keep-alive follows the version and Connection as Beast's parser has it") {
        CHECK(!plain_as_beast_reads_it("GET / HTTP/1.0\r\n\r\n").keep_alive);
        CHECK(
            plain_as_beast_reads_it("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keep_alive);
        CHECK(!plain_as_beast_reads_it("GET / HTTP/1.1\r\nConnection: CLOSE\r\n\r\n").keep_alive);
        CHECK(!plain_as_beast_reads_it("GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n")
                   .keep_alive);
        // Both: HTTP/1.1 closes, HTTP/1.0 keeps (Beast's rule).
        CHECK(!plain_as_beast_reads_it(
                   "GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n")
                   .keep_alive);
        CHECK(plain_as_beast_reads_it(
                  "GET / HTTP/1.0\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n")
                  .keep_alive);
    }

    TEST_CASE("every method Beast knows is plain; unknown and lowercase ones go to Beast") {
        for (const char* method : {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"}) {
            const std::string verb(method);
            CAPTURE(verb);
            plain_as_beast_reads_it(std::string(method) + " /x HTTP/1.1\r\n\r\n");
        }
        CHECK(!plain("BREW /pot HTTP/1.1\r\n\r\n"));
        CHECK(!plain("get / HTTP/1.1\r\n\r\n"));
        CHECK(!plain(" GET / HTTP/1.1\r\n\r\n"));
        CHECK(!plain("\r\nGET / HTTP/1.1\r\n\r\n"));
    }

    TEST_CASE("anything unusual or broken is not plain, so Beast's parser decides") {
        const char* const not_plain[] = {
            // Incomplete: no blank line yet, or not even a whole request line.
            "GET / HTTP/1.1\r\nHost: x\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\n\r",
            "GET /api/v1/cis/check",
            "GET / HTTP/1.1",
            // Request line.
            "GET  / HTTP/1.1\r\n\r\n",
            "GET / HTTP/2.0\r\n\r\n",
            "GET / HTTP/1.2\r\n\r\n",
            "GET / http/1.1\r\n\r\n",
            "GET / HTTP/1.1\n\r\n",
            "GET / HTTP/1.1 \r\n\r\n",
            "GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n",
            "GET /a\tb HTTP/1.1\r\n\r\n",
            "GET /a\x7f HTTP/1.1\r\n\r\n",
            // Fields.
            "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
            "GET / HTTP/1.1\r\n: x\r\n\r\n",
            "GET / HTTP/1.1\r\nHo(st: x\r\n\r\n",
            "GET / HTTP/1.1\r\nHost x\r\n\r\n",
            "GET / HTTP/1.1\r\nX-A: 1\r\n continued\r\n\r\n",
            "GET / HTTP/1.1\r\nX-A: 1\r\n\tcontinued\r\n\r\n",
            "GET / HTTP/1.1\r\nX-A: 1\nX-B: 2\r\n\r\n",
            "GET / HTTP/1.1\r\nX-A: 1\r\r\n\r\n",
            "GET / HTTP/1.1\r\nX-A: a\x01z\r\n\r\n",
            "GET / HTTP/1.1\r\nX-A: caf\xc3\xa9\r\n\r\n",
            "GET / HTTP/1.1\r\nX-A: 1\r\n\n",
            // The fields Beast's parser acts on, in any but the plain spelling.
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
            "POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\n{}",
            "POST / HTTP/1.1\r\nContent-Length: +2\r\n\r\n{}",
            "POST / HTTP/1.1\r\nContent-Length: \r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 00000000000000000002\r\n\r\n{}",
            "GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\n\r\n",
            "GET / HTTP/1.1\r\nConnection: \r\n\r\n",
            "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n",
            // An expectation is answered (100 Continue or 417) from the head, on Beast's path.
            "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
            "GET / HTTP/1.1\r\nexpect: something-else\r\n\r\n",
            "GET / HTTP/1.1\r\nEXPECT: 100-continue\r\n\r\n",
        };
        for (const char* text : not_plain) {
            const std::string request(text);
            CAPTURE(request);
            CHECK(!plain(text));
        }
        // A NUL inside a value (a string literal in the list would stop at it).
        static constexpr char nul[] = "GET / HTTP/1.1\r\nX-A: a\0z\r\n\r\n";
        CHECK(!plain(std::string_view(nul, sizeof nul - 1)));
    }

    TEST_CASE("a head over the header limit is not plain (Beast answers it with 431)") {
        std::string text =
            "GET / HTTP/1.1\r\nX-Big: " + std::string(kHeaderLimit, 'a') + "\r\n\r\n";
        CHECK(!plain(text));
        text = kCheck;
        PlainRequest head;
        CHECK(scan_plain_request_head(text, text.size(), head));
        CHECK(!scan_plain_request_head(text, text.size() - 1, head));
    }

    TEST_CASE("more kept fields than the scan holds go to Beast; dropped ones do not count") {
        std::string many = "GET / HTTP/1.1\r\n";
        for (std::size_t i = 0; i < kMaxPlainFields; ++i)
            many += "X-" + std::to_string(i) + ": v\r\n";
        std::string dropped = many;
        for (int i = 0; i < 20; ++i) dropped += "Accept: */*\r\n";
        plain_as_beast_reads_it(many + "\r\n");
        plain_as_beast_reads_it(dropped + "\r\n");
        CHECK(!plain(many + "X-last: v\r\n\r\n"));
    }

    TEST_CASE("field names in the quick table match Beast's, in every case spelling") {
        for (const char* name : {"host",
                                 "accept",
                                 "pragma",
                                 "upgrade-x",
                                 "connectioN",
                                 "User-Agent",
                                 "keep-alive",
                                 "content-type",
                                 "Authorization",
                                 "cache-control",
                                 "content-length",
                                 "accept-encoding",
                                 "ACCEPT-LANGUAGE",
                                 "x-authorization",
                                 "authorizatioN",
                                 "Content-Typf",
                                 "hos",
                                 "a",
                                 "Authorization-",
                                 "Content_Type",
                                 "Pragma!",
                                 "Expecs"}) {
            const std::string field(name);
            CAPTURE(field);
            const std::string value = field == "content-length" ? "0"
                                      : field == "connectioN"   ? "close"
                                                                : "v";
            plain_as_beast_reads_it("GET / HTTP/1.1\r\n" + std::string(name) + ": " + value +
                                    "\r\n\r\n");
        }
    }
}
