// The LM status without credentials (docs/api.md, "Status without credentials"): which listener
// counts as loopback, Access::loopback_open in the router, [auth] status_open, and what the
// anonymous status answer leaves out.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>

#include "daemon/clock.hpp"
#include "daemon/config.hpp"
#include "daemon/http/basic_auth.hpp"
#include "daemon/http/router.hpp"
#include "daemon/lm/lm_routes.hpp"
#include "daemon/lm/status_handler.hpp"
#include "daemon/local_module.hpp"
#include "tests/unit/storage_test_support.hpp"

using namespace piotd::daemon;

namespace {

constexpr const char* kAdmin = "Basic YWRtaW46YWRtaW4=";  // admin:admin
constexpr const char* kWrong = "Basic YWRtaW46d3Jvbmc=";  // admin:wrong

Request get(const std::string& target, const char* authorization = nullptr) {
    Request request(http::verb::get, target, 11);
    if (authorization != nullptr) request.set(http::field::authorization, authorization);
    return request;
}

Listener listener_of(const char* address) {
    return listener_for(boost::asio::ip::make_address(address));
}

struct Seen {
    int calls = 0;
    bool authenticated = false;
    Listener listener = Listener::network;
};

// A router with one route of each access, recording what the handler was told.
Router routes(Seen& seen) {
    Router router(BasicAuth("admin", "admin"));
    const auto handler = [&seen](const RequestContext& c) {
        ++seen.calls;
        seen.authenticated = c.authenticated;
        seen.listener = c.listener;
        return Response{http::status::ok, 11};
    };
    router.add(http::verb::get, "/status", handler, Access::loopback_open);
    router.add(http::verb::get, "/private", handler);
    router.add(http::verb::get, "/open", handler, Access::open);
    return router;
}

unsigned status_of(Router& router, const Request& request, Listener listener) {
    return router.handle(request, listener).response.result_int();
}

struct FixedLocalModule : LocalModuleStatusProvider {
    LmMirror mirror;
    LmMirror local_module() const override { return mirror; }
};

rapidjson::Document parse(const std::string& body) {
    rapidjson::Document document;
    document.Parse(body.c_str(), body.size());
    REQUIRE(!document.HasParseError());
    return document;
}

}  // namespace

TEST_SUITE("daemon.status_open") {
    TEST_CASE(
        "loopback listeners: 127.0.0.0/8, ::1 and v4-mapped 127/8; anything else is network") {
        CHECK(listener_of("127.0.0.1") == Listener::loopback);
        CHECK(listener_of("127.10.20.30") == Listener::loopback);
        CHECK(listener_of("::1") == Listener::loopback);
        CHECK(listener_of("::ffff:127.0.0.1") == Listener::loopback);
        CHECK(listener_of("0.0.0.0") == Listener::network);
        CHECK(listener_of("::") == Listener::network);
        CHECK(listener_of("192.168.1.10") == Listener::network);
        CHECK(listener_of("10.0.0.1") == Listener::network);
        CHECK(listener_of("::ffff:192.168.1.10") == Listener::network);
        CHECK(listener_of("fe80::1") == Listener::network);
        CHECK(listener_of("128.0.0.1") == Listener::network);
    }

    TEST_CASE("BasicAuth::offered: any Authorization header counts, right or wrong") {
        CHECK(!BasicAuth::offered(get("/x")));
        CHECK(BasicAuth::offered(get("/x", kAdmin)));
        CHECK(BasicAuth::offered(get("/x", kWrong)));
        CHECK(BasicAuth::offered(get("/x", "")));
        CHECK(BasicAuth::offered(get("/x", "Token 3f2a")));
    }

    TEST_CASE("loopback_open: anonymous on loopback only; sent credentials are always checked") {
        Seen seen;
        Router router = routes(seen);
        // Anonymous on a loopback listener: served, and the handler knows it is anonymous.
        CHECK(status_of(router, get("/status"), Listener::loopback) == 200);
        CHECK(seen.calls == 1);
        CHECK(!seen.authenticated);
        CHECK(seen.listener == Listener::loopback);
        // The right credentials: served as authenticated.
        CHECK(status_of(router, get("/status", kAdmin), Listener::loopback) == 200);
        CHECK(seen.authenticated);
        // A wrong password, an empty or a foreign scheme is 401, as the real LM answers: a POS
        // that tests its settings with /status learns they are wrong.
        for (const char* bad : {kWrong, "", "Basic", "Token 3f2a", "Basic ####"}) {
            CAPTURE(bad);
            const Reply reply = router.handle(get("/status", bad), Listener::loopback);
            CHECK(reply.response.result_int() == 401);
            CHECK(reply.response[http::field::www_authenticate] == "Basic realm=\"piotd\"");
        }
        CHECK(seen.calls == 2);
        // A network listener (0.0.0.0, a LAN address, the TLS front's backend): credentials.
        CHECK(status_of(router, get("/status"), Listener::network) == 401);
        CHECK(status_of(router, get("/status", kWrong), Listener::network) == 401);
        CHECK(seen.calls == 2);
        CHECK(status_of(router, get("/status", kAdmin), Listener::network) == 200);
        CHECK(seen.authenticated);
        CHECK(seen.listener == Listener::network);
    }

    TEST_CASE("every other route keeps its access on a loopback listener") {
        Seen seen;
        Router router = routes(seen);
        CHECK(status_of(router, get("/private"), Listener::loopback) == 401);
        CHECK(status_of(router, get("/private", kWrong), Listener::loopback) == 401);
        CHECK(seen.calls == 0);
        CHECK(status_of(router, get("/private", kAdmin), Listener::loopback) == 200);
        CHECK(seen.authenticated);
        // An open route never checks, so the handler is told nothing was checked.
        CHECK(status_of(router, get("/open", kAdmin), Listener::network) == 200);
        CHECK(!seen.authenticated);
        CHECK(status_of(router, get("/open"), Listener::network) == 200);
        // The path decides, not its prefix or a query: /status/x and /statusx are 404.
        CHECK(status_of(router, get("/status/x"), Listener::loopback) == 404);
        CHECK(status_of(router, get("/status?x=1"), Listener::loopback) == 200);
        // Another method on the status path: 405 (the router has no POST /status).
        Request post = get("/status");
        post.method(http::verb::post);
        CHECK(status_of(router, post, Listener::loopback) == 405);
    }

    TEST_CASE("handle(request) serves as the router's listener; ListenerRouter as its own") {
        Seen seen;
        Router router = routes(seen);
        CHECK(router.handle(get("/status")).response.result_int() == 401);  // network by default
        router.set_listener(Listener::loopback);
        CHECK(router.handle(get("/status")).response.result_int() == 200);
        CHECK(seen.listener == Listener::loopback);
        // The TLS front's backend: the same routes, dispatched as network.
        ListenerRouter tls_side(router, Listener::network);
        CHECK(tls_side.handle(get("/status")).response.result_int() == 401);
        CHECK(tls_side.handle(get("/status", kAdmin)).response.result_int() == 200);
        CHECK(seen.listener == Listener::network);
        router.set_body_limit("/status", 4096);
        CHECK(tls_side.max_body_bytes("/status?x", 10) == 4096);
        CHECK(tls_side.max_body_bytes("/private", 10) == 10);
    }

    TEST_CASE("[auth] status_open: true by default, true|false, anything else refused") {
        Config config;
        CHECK(config.status_open);
        set_config_value(config, "auth", "status_open", "false");
        CHECK(!config.status_open);
        set_config_value(config, "auth", "status_open", "true");
        CHECK(config.status_open);
        CHECK_THROWS_WITH(set_config_value(config, "auth", "status_open", "yes"),
                          "auth.status_open must be true or false");
    }

    TEST_CASE(
        "LM routes: anonymous status on loopback without clients or lastError; the rest 401") {
        piotd::storage::test::TempDir dir;
        Config config;
        config.data_dir = dir.path();
        config.user = "admin";
        config.password = "admin";
        const Clock clock;
        LocalModule module(config, clock);
        module.record_sync_error("upstream http://store.lan:5995: connection refused");
        FixedLocalModule lm;
        lm.mirror.url = "http://lm.store.lan:5996";
        lm.mirror.api_version = "2";
        lm.mirror.reachable = true;
        lm.mirror.last_error = "lm.store.lan: 500 Internal Server Error";
        piotd::protocol::LmClientStatus lm_status;
        lm_status.status = "ready";
        lm_status.inst = "lm-inst";
        lm_status.inn = "7700000000";
        lm_status.operation_mode = "active";
        lm_status.last_sync_ms = 1'000;
        lm_status.requires_download = false;
        lm.mirror.status = lm_status;
        LmRouteOptions options;
        options.upstream_lm = &lm;
        Router router(BasicAuth("admin", "admin"));
        add_lm_routes(router, module, options);

        // A POS with credentials and its X-ClientId: recorded, and listed to it.
        Request pos = get("/api/v1/status", kAdmin);
        pos.set("X-ClientId", "9999078900001234");
        const std::string full = router.handle(pos, Listener::loopback).response.body();
        const auto full_json = parse(full);
        REQUIRE(full_json.HasMember("clients"));
        CHECK(full_json["clients"].Size() == 1);
        CHECK(full_json.HasMember("lastError"));
        CHECK(full_json["localModule"].HasMember("url"));
        CHECK(full_json["localModule"].HasMember("lastError"));

        for (const char* target : {"/api/v1/status", "/api/v2/status"}) {
            CAPTURE(target);
            Request monitor = get(target);
            monitor.set("X-ClientId", "planted-by-a-stranger");
            const Reply reply = router.handle(monitor, Listener::loopback);
            REQUIRE(reply.response.result_int() == 200);
            const std::string& body = reply.response.body();
            const auto json = parse(body);
            for (const char* field :
                 {"status", "operationMode", "version", "inst", "inn", "name", "dbVersion",
                  "lastSync", "lastUpdate", "requiresDownload", "replicationStatus"}) {
                CAPTURE(field);
                CHECK(json.HasMember(field));
            }
            CHECK(json.HasMember("dbState") == (std::string(target) == "/api/v2/status"));
            CHECK(!json.HasMember("clients"));
            CHECK(!json.HasMember("lastError"));
            CHECK(body.find("9999078900001234") == std::string::npos);
            CHECK(body.find("connection refused") == std::string::npos);
            // The LM in front: its health, not its address, identity or errors.
            REQUIRE(json.HasMember("localModule"));
            const auto& mirror = json["localModule"];
            CHECK(mirror["reachable"].GetBool());
            CHECK(std::string(mirror["status"].GetString()) == "ready");
            CHECK(std::string(mirror["operationMode"].GetString()) == "active");
            CHECK(mirror["lastSync"].GetInt64() == 1'000);
            CHECK(mirror["syncDeadline"].GetInt64() == 1'000 + 72LL * 3600 * 1000);
            CHECK(!mirror["requiresDownload"].GetBool());
            CHECK(mirror.HasMember("circuit"));
            CHECK(!mirror.HasMember("url"));
            CHECK(!mirror.HasMember("lastError"));
            CHECK(!mirror.HasMember("inn"));
            CHECK(body.find("lm.store.lan") == std::string::npos);
        }
        // The anonymous X-ClientId was not recorded.
        const auto after = parse(router.handle(pos, Listener::loopback).response.body());
        CHECK(after["clients"].Size() == 1);
        CHECK(after["clients"][0]["requests"].GetUint64() == 2);

        // Without a mirrored status the anonymous localModule says so.
        lm.mirror.status.reset();
        lm.mirror.reachable = false;
        const auto unreachable =
            parse(router.handle(get("/api/v1/status"), Listener::loopback).response.body());
        CHECK(!unreachable["localModule"]["reachable"].GetBool());
        CHECK(unreachable["localModule"]["status"].IsNull());

        // Every other LM route wants credentials on loopback too; network wants them for status.
        CHECK(router.handle(get("/api/v1/cis/check?cis=x"), Listener::loopback)
                  .response.result_int() == 401);
        CHECK(router.handle(get("/api/v2/cis/outCheck?cis=x"), Listener::loopback)
                  .response.result_int() == 401);
        CHECK(router.handle(get("/api/v1/status"), Listener::network).response.result_int() == 401);
    }

    TEST_CASE("LM routes with status_open = false: the status wants credentials everywhere") {
        piotd::storage::test::TempDir dir;
        Config config;
        config.data_dir = dir.path();
        const Clock clock;
        LocalModule module(config, clock);
        LmRouteOptions options;
        options.status_open = false;
        Router router(BasicAuth("admin", "admin"));
        add_lm_routes(router, module, options);
        for (const char* target : {"/api/v1/status", "/api/v2/status"}) {
            CAPTURE(target);
            CHECK(router.handle(get(target), Listener::loopback).response.result_int() == 401);
            const Reply ok = router.handle(get(target, kAdmin), Listener::loopback);
            CHECK(ok.response.result_int() == 200);
        }
    }
}
