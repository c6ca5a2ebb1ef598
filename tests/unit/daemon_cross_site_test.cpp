// No effect from another site's web page (daemon/http/cross_site.hpp): what browsers send.
#include <doctest/doctest.h>

#include "daemon/http/cross_site.hpp"

using namespace piotd::daemon;

namespace {

Request post(std::initializer_list<std::pair<const char*, const char*>> fields) {
    Request request{http::verb::post, "/api/v2/cis/sell", 11};
    request.set(http::field::host, "127.0.0.1:5995");
    for (const auto& [name, value] : fields) request.set(name, value);
    return request;
}

int refused(const Request& request) {
    const auto response = refuse_cross_site(request);
    return response ? response->result_int() : 0;
}

}  // namespace

TEST_SUITE("daemon.cross_site") {
    TEST_CASE("a page of another site is refused; the POS and piotd's own pages are not") {
        CHECK(refused(post({})) == 0);  // a POS: no Origin, no Sec-Fetch-*
        CHECK(refused(post({{"Content-Type", "application/json"}})) == 0);
        CHECK(refused(post({{"Origin", "http://127.0.0.1:5995"}})) == 0);
        CHECK(refused(post({{"Origin", "http://localhost:8080"}})) == 0);  // a page on the till
        CHECK(refused(post({{"Origin", "https://[::1]"}})) == 0);
        CHECK(refused(post({{"Sec-Fetch-Site", "same-origin"}})) == 0);
        CHECK(refused(post({{"Sec-Fetch-Site", "none"}})) == 0);  // typed by the user

        CHECK(refused(post({{"Origin", "http://evil.example"}})) == 403);
        CHECK(refused(post({{"Origin", "http://127.0.0.1.evil.example"}})) == 403);
        CHECK(refused(post({{"Origin", "null"}})) == 403);
        CHECK(refused(post({{"Origin", "file://"}})) == 403);
        CHECK(refused(post({{"Sec-Fetch-Site", "cross-site"}})) == 403);
        CHECK(refused(post({{"Sec-Fetch-Site", "same-site"}})) == 403);

        // What a page may send without a preflight.
        CHECK(refused(post({{"Content-Type", "text/plain;charset=UTF-8"}})) == 415);
        CHECK(refused(post({{"Content-Type", "application/x-www-form-urlencoded"}})) == 415);
        CHECK(refused(post({{"Content-Type", "multipart/form-data; boundary=x"}})) == 415);
        CHECK(refused(post({{"Content-Type", "image/png"}})) == 0);
    }

    TEST_CASE("the same origin as the Host is trusted, whatever the name") {
        Request request = post({{"Origin", "http://store.example:5995"}});
        request.set(http::field::host, "store.example:5995");
        CHECK(refused(request) == 0);
        request.set(http::field::origin, "http://store.example:6000");
        CHECK(refused(request) == 403);
    }
}
