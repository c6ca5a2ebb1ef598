// Pieces of the HTTP layer that need no socket: the request parser, query strings, Basic auth,
// the router, the answer to a refused request body.
#include <doctest/doctest.h>

#include <stdexcept>

#include "daemon/http/basic_auth.hpp"
#include "daemon/http/body_budget.hpp"
#include "daemon/http/query_string.hpp"
#include "daemon/http/request_error_response.hpp"
#include "daemon/http/request_parser.hpp"
#include "daemon/http/router.hpp"

using namespace piotd::daemon;

TEST_SUITE("daemon.http") {
    TEST_CASE("the request parser keeps the fields handlers read and drops the ones it acted on") {
        RequestParser parser;
        const std::string text =
            "POST /api/v1/cis/check HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: pos/1\r\n"
            "Accept: */*\r\nConnection: close\r\nAuthorization: Basic eDp5\r\n"
            "Content-Type: application/json\r\nX-ClientId: till-7\r\nIdempotency-Key: k1\r\n"
            "Content-Length: 2\r\n\r\n{}";
        boost::beast::error_code ec;
        CHECK(parser.put(boost::asio::buffer(text), ec) == text.size() - 2);
        REQUIRE(!ec);
        parser.put(boost::asio::buffer(text.data() + text.size() - 2, 2), ec);
        REQUIRE(!ec);
        REQUIRE(parser.is_done());
        // What the parser acted on is in its flags, not in the fields.
        CHECK(!parser.keep_alive());
        CHECK(parser.content_length().value_or(0) == 2);
        const Request& request = parser.get();
        CHECK(request.body() == "{}");
        CHECK(request[http::field::authorization] == "Basic eDp5");
        CHECK(request[http::field::content_type] == "application/json");
        CHECK(request["X-ClientId"] == "till-7");
        CHECK(request["Idempotency-Key"] == "k1");
        CHECK(request.find(http::field::host) == request.end());
        CHECK(request.find(http::field::user_agent) == request.end());
        CHECK(request.find(http::field::connection) == request.end());
        CHECK(request.find(http::field::content_length) == request.end());
        CHECK(std::distance(request.begin(), request.end()) == 4);
    }

    TEST_CASE("query parameters are percent-decoded; '+' stays '+'") {
        CHECK(query_param("cis=01%1D93", "cis").value ==
              "01\x1d"
              "93");
        CHECK(query_param("a=1&cis=x+y%2B", "cis").value == "x+y+");
        CHECK(query_param("cis=a&cis=b", "cis").value == "a");
        CHECK(!query_param("other=1", "cis").present);
        CHECK(query_param("cis", "cis").present);
        CHECK(query_param("cis", "cis").value.empty());
        CHECK(!query_param("cis=%zz", "cis").valid);
        CHECK(!query_param("cis=%1", "cis").valid);
        std::string scratch;
        const QueryView plain = query_param_view("a=1&cis=0104600&b=2", "cis", scratch);
        CHECK(plain.present);
        CHECK(plain.value == "0104600");
        CHECK(scratch.empty());  // a view into the query itself
        const QueryView encoded = query_param_view("cis=01%1D93&cis=x", "cis", scratch);
        CHECK(encoded.value ==
              "01\x1d"
              "93");
        CHECK(encoded.value.data() == scratch.data());
        CHECK(!query_param_view("cis=%zz", "cis", scratch).valid);
        CHECK(!query_param_view("x=1", "cis", scratch).present);
        CHECK(query_param_view("cis", "cis", scratch).present);
        CHECK(query_param_view("cis", "cis", scratch).value.empty());
        CHECK(!percent_decode("%"));
        CHECK(!percent_decode("abc%4"));
        CHECK(!percent_decode("abc%%41"));
        CHECK(percent_decode("%41%42c%44ef%25") == "ABcDef%");
        CHECK(percent_decode("plain") == "plain");
        CHECK(percent_decode("") == "");
    }

    TEST_CASE("Basic auth accepts only the configured user and password") {
        const BasicAuth auth("admin", "s3cret");
        CHECK(auth.allows_header("Basic YWRtaW46czNjcmV0"));
        CHECK(auth.allows_header("basic   YWRtaW46czNjcmV0  "));
        CHECK(!auth.allows_header("Basic YWRtaW46YWRtaW4="));      // admin:admin
        CHECK(!auth.allows_header("Basic YWRtaW46czNjcmV0eA=="));  // one byte more
        CHECK(!auth.allows_header("Bearer YWRtaW46czNjcmV0"));
        CHECK(!auth.allows_header("Basic"));
        CHECK(!auth.allows_header("Basic ####"));
        CHECK(!auth.allows_header("Basic " + std::string(5000, 'A')));
        CHECK(!auth.allows_header("Basic YWRtaW46czNjcmV"));  // the canonical header, cut short
        CHECK(!auth.allows_header("Basic YWRtaW46czNjcmV0 x"));
    }

    TEST_CASE("Basic auth reads the request's first Authorization header, by any spelling") {
        const BasicAuth auth("admin", "s3cret");
        Request request;
        CHECK(!auth.allows(request));
        request.insert("X-Other", "Basic YWRtaW46czNjcmV0");
        CHECK(!auth.allows(request));
        request.insert("authorization", "Basic YWRtaW46czNjcmV0");  // parsed to the same field
        CHECK(auth.allows(request));
        Request wrong_first;
        wrong_first.insert(http::field::authorization, "Basic YWRtaW46YWRtaW4=");
        wrong_first.insert(http::field::authorization, "Basic YWRtaW46czNjcmV0");
        CHECK(!auth.allows(wrong_first));
    }

    TEST_CASE("Basic auth tells the roles apart; one credential cannot serve two roles") {
        BasicAuth auth("admin", "s3cret");
        auth.add(Role::pos, "kassa", "p0s");
        auth.add(Role::replica, "replica", "r3plica");
        CHECK(auth.role_of_header("Basic YWRtaW46czNjcmV0") == Role::admin);
        CHECK(auth.role_of_header("Basic a2Fzc2E6cDBz") == Role::pos);  // kassa:p0s
        CHECK(auth.role_of_header("basic  a2Fzc2E6cDBz ") == Role::pos);
        CHECK(auth.role_of_header("Basic cmVwbGljYTpyM3BsaWNh") ==
              Role::replica);                                   // replica:r3plica
        CHECK(!auth.role_of_header("Basic a2Fzc2E6czNjcmV0"));  // kassa:s3cret: no such pair
        CHECK_THROWS_AS(auth.add(Role::pos, "admin", "s3cret"), std::invalid_argument);
    }

    TEST_CASE("router: a route is admin's until granted; other roles get 403 from the head") {
        Router router(BasicAuth("admin", "admin"));
        router.add_credential(Role::pos, "pos", "pos");
        int calls = 0;
        Role seen = Role::admin;
        const auto handler = [&](const RequestContext& c) {
            ++calls;
            seen = c.role;
            return Response{http::status::ok, 11};
        };
        router.add(http::verb::post, "/sell", handler);
        router.add(http::verb::post, "/init", handler);
        router.add(http::verb::get, "/docs/*", handler);
        CHECK(router.grant(http::verb::post, "/sell", Role::pos));
        CHECK(router.grant(http::verb::get, "/docs/*", Role::pos));
        CHECK_FALSE(router.grant(http::verb::get, "/absent", Role::pos));

        Request request{http::verb::post, "/init", 11};
        request.set(http::field::authorization, "Basic cG9zOnBvcw==");  // pos:pos
        const auto refused = router.refuse_head(request);
        REQUIRE(refused);
        CHECK(refused->result() == http::status::forbidden);
        CHECK(refused->body().find("\"errorCode\":4031") != std::string::npos);
        CHECK(router.handle(request).response.result() == http::status::forbidden);
        request.target("/sell");
        CHECK_FALSE(router.refuse_head(request));
        CHECK(router.handle(request).response.result() == http::status::ok);
        CHECK(seen == Role::pos);
        request.method(http::verb::get);
        request.target("/docs/17");
        CHECK(router.handle(request).response.result() == http::status::ok);
        CHECK(calls == 2);
        // The head alone decides the rest too: none, wrong, no route, no method.
        request.erase(http::field::authorization);
        CHECK(router.refuse_head(request)->result() == http::status::unauthorized);
        request.target("/nope");
        CHECK(router.refuse_head(request)->result() == http::status::not_found);
        request.target("/init");
        CHECK(router.refuse_head(request)->result() == http::status::method_not_allowed);
        request.set(http::field::authorization, "Basic YWRtaW46YWRtaW4=");
        request.method(http::verb::post);
        CHECK_FALSE(router.refuse_head(request));
        CHECK(router.handle(request).response.result() == http::status::ok);
        CHECK(seen == Role::admin);
    }

    TEST_CASE("the body budget reserves up to its limit and gives back what is released") {
        BodyBudget budget(1000);
        auto a = budget.reserve(600);
        REQUIRE(a);
        CHECK_FALSE(budget.reserve(401));
        auto b = budget.reserve(400);
        REQUIRE(b);
        CHECK(budget.used() == 1000);
        CHECK_FALSE(budget.reserve(1));
        a->release();
        CHECK(budget.used() == 400);
        BodyBudget::Reservation moved = std::move(*b);
        b.reset();
        CHECK(budget.used() == 400);
        { BodyBudget::Reservation gone = std::move(moved); }
        CHECK(budget.used() == 0);
        CHECK_FALSE(budget.reserve(1001));
    }

    TEST_CASE("router: 401 before the handler, 404 and 405 as JSON, exceptions become 500") {
        Router router(BasicAuth("admin", "admin"));
        int calls = 0;
        router.add(http::verb::get, "/x", [&](const RequestContext& c) {
            ++calls;
            Response r{http::status::ok, 11};
            r.body() = std::string(c.query);
            return r;
        });
        router.add(http::verb::get, "/boom",
                   [](const RequestContext&) -> Response { throw std::runtime_error("boom"); });
        router.add(
            http::verb::get, "/open",
            [](const RequestContext&) {
                return Response{http::status::ok, 11};
            },
            Access::open);

        Request request{http::verb::get, "/x?a=1", 11};
        CHECK(router.handle(request).response.result() == http::status::unauthorized);
        CHECK(calls == 0);
        request.set(http::field::authorization, "Basic YWRtaW46YWRtaW4=");
        const Response ok = router.handle(request).response;
        CHECK(ok.result() == http::status::ok);
        CHECK(ok.body() == "a=1");

        request.method(http::verb::post);
        CHECK(router.handle(request).response.result() == http::status::method_not_allowed);
        request.method(http::verb::get);
        request.target("/nope");
        const Response missing = router.handle(request).response;
        CHECK(missing.result() == http::status::not_found);
        CHECK(missing.body().find("\"errorCode\":4040") != std::string::npos);
        request.target("/boom");
        const Response boom = router.handle(request).response;
        CHECK(boom.result() == http::status::internal_server_error);
        CHECK(boom.body().find("\"errorCode\":5000") != std::string::npos);

        Request anonymous{http::verb::get, "/open", 11};
        CHECK(router.handle(anonymous).response.result() == http::status::ok);
    }

    TEST_CASE("a refused request body: 400 with the errorCode of its kind, nothing when none") {
        using piotd::protocol::RequestError;
        CHECK_FALSE(request_error_response(RequestError::none, ""));
        const std::pair<RequestError, const char*> kinds[] = {
            {RequestError::invalid_json, R"("errorCode":4001,"error":"invalid_json")"},
            {RequestError::missing_field, R"("errorCode":4002,"error":"missing_field")"},
            {RequestError::empty_list, R"("errorCode":4002,"error":"missing_field")"},
            {RequestError::invalid_field, R"("errorCode":4006,"error":"invalid_field")"},
            {RequestError::too_many_codes, R"("errorCode":4004,"error":"too_many_codes")"},
        };
        for (const auto& [kind, fields] : kinds) {
            const auto response = request_error_response(kind, "cis_list[3]: not a string");
            REQUIRE(response);
            CHECK(response->result() == http::status::bad_request);
            INFO(response->body());
            CHECK(response->body().find(fields) != std::string::npos);
            CHECK(response->body().find("cis_list[3]: not a string") != std::string::npos);
        }
    }
}
