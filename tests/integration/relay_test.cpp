// The document relay end to end (docs/relay.md): the real piotd binary with the fake document
// sink (tests/fakes/fake_document_sink.cpp) or a second piotd as its upstream, faults, kill -9.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_process.hpp"
#include "tests/support/document_sink.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"

using namespace piotd::test;
using namespace std::chrono_literals;

namespace {

rapidjson::Document json_of(const std::string& body) {
    rapidjson::Document document;
    document.Parse(body.c_str(), body.size());
    REQUIRE_MESSAGE(!document.HasParseError(), "not JSON: " << body.substr(0, 300));
    return document;
}

// A КИ of GTIN 04603586014674 with a 13-digit serial made of `n`.
std::string code(int n) {
    char serial[16];
    std::snprintf(serial, sizeof serial, "%013d", n);
    return "0104603586014674"
           "21" +
           std::string(serial);
}

std::string sell_body(const std::string& cis) {
    return R"({"cis_list":[")" + cis + R"("]})";
}

std::string withdrawal(const std::string& cis, const std::string& extra = {}) {
    return R"({"type":"withdrawal","inn":"7700000001","action":"RETAIL","action_date":"2026-11-22",)"
           R"("document_type":"RECEIPT","document_number":"12345","fn_number":"7284440700391860",)"
           R"("pg":8,"products":[{"cis":")" +
           cis + R"(","price":8990}])" + extra + "}";
}

HttpReply post_keyed(HttpClient& client, const std::string& target, const std::string& body,
                     const std::string& key) {
    return client.request("POST", target, body, "-", {{"Idempotency-Key", key}});
}

using Sink = DocumentSink;

// piotd --demo with fast retries, optionally relaying to `relay`.
struct Piotd {
    TempDir dir;
    unsigned short port = free_port();
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::unique_ptr<DaemonProcess> process;

    explicit Piotd(const std::vector<std::string>& extra = {},
                   std::map<std::string, std::string> environment = {},
                   unsigned short fixed_port = 0)
        : env(std::move(environment)) {
        if (fixed_port != 0) port = fixed_port;
        const auto config = dir.path() / "piotd.conf";
        std::ofstream(config) << "[relay]\nbackoff_min_ms = 20\nbackoff_max_ms = 200\n"
                                 "timeout_ms = 700\ndead_after = 2\npoll_ms = 30\n";
        args = {"--demo",
                "--data-dir",
                (dir.path() / "data").string(),
                "--listen",
                "127.0.0.1:" + std::to_string(port),
                "--config",
                config.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        start();
    }
    void start() { process = std::make_unique<DaemonProcess>(args, port, env); }

    rapidjson::Document outbox(const std::string& query = {}) {
        HttpClient client(port);
        const HttpReply reply = client.get("/api/v1/outbox" + query);
        REQUIRE(reply.status == 200);
        return json_of(reply.body);
    }
    std::size_t pending() {
        const auto o = outbox();
        return o["counts"]["queued"].GetUint64() + o["counts"]["rejected"].GetUint64() +
               o["counts"]["checking"].GetUint64();
    }
    std::string state_of(const std::string& id) {
        HttpClient client(port);
        const HttpReply reply = client.get("/api/v1/documents/" + url_encode(id));
        if (reply.status != 200) return "status " + std::to_string(reply.status);
        return json_of(reply.body)["state"].GetString();
    }
    bool sold(const std::string& cis) {
        HttpClient client(port);
        const HttpReply reply = client.post("/api/v2/cis/outCheck", sell_body(cis));
        REQUIRE(reply.status == 200);
        return json_of(reply.body)["results"][0]["codes"][0]["sold"].GetBool();
    }
};

}  // namespace

TEST_SUITE("relay") {
    TEST_CASE("sell, a second sell is refused offline, return, sell again; partial sales count") {
        Piotd piotd;
        HttpClient client(piotd.port);
        const std::string cis = code(1);
        CHECK_FALSE(piotd.sold(cis));

        HttpReply reply = client.post("/api/v2/cis/sell", sell_body(cis));
        REQUIRE(reply.status == 201);
        auto answer = json_of(reply.body);
        CHECK(answer["results"][0]["success"].GetBool());
        CHECK(std::string(answer["results"][0]["cis"].GetString()) == cis);
        CHECK(piotd.sold(cis));

        // The full code with its crypto tail is the same КИ: already sold.
        reply = client.post("/api/v2/cis/sell", sell_body(cis + "\\u001d93dGVz"));
        CHECK(reply.status == 409);
        answer = json_of(reply.body);
        CHECK(answer["errorCode"].GetInt() == 4090);
        CHECK_FALSE(answer["results"][0]["success"].GetBool());
        CHECK(std::string(answer["results"][0]["error"].GetString()) == "already_sold");

        reply = client.get("/api/v2/cis/sold?skip=0&limit=10");
        REQUIRE(reply.status == 200);
        answer = json_of(reply.body);
        CHECK(answer["total_count"].GetUint() == 1);
        CHECK(std::string(answer["cis_list"][0].GetString()) == cis);
        CHECK(client.get("/api/v2/cis/sold?limit=1001").status == 400);
        CHECK(client.get("/api/v2/cis/sold?skip=-1").status == 400);
        const std::string twice = R"({"cis_list":[")" + code(9) + R"(",")" + code(9) + R"("]})";
        reply = client.post("/api/v2/cis/sell", twice);
        CHECK(reply.status == 400);
        CHECK(reply.body.find("cis_list[1]: the same code as cis_list[0]") != std::string::npos);
        CHECK(client.post("/api/v2/cis/sell", R"({"cis_list":["not a code"]})").status == 400);
        CHECK(client.post("/api/v2/cis/sell", "{}").status == 400);

        reply = client.post("/api/v2/cis/return", sell_body(cis));
        CHECK(reply.status == 200);
        CHECK_FALSE(piotd.sold(cis));
        CHECK(client.post("/api/v2/cis/sell", sell_body(cis)).status == 201);

        // A pack of 10: 3 + 6 go, then 2 more are refused (1 left), then the last one.
        const std::string pack = code(2);
        const auto partial = [&](int units) {
            return client.post("/api/v2/cis/sell",
                               R"({"cis_list":[{"cis":")" + pack + R"(","soldUnitCount":)" +
                                   std::to_string(units) + R"(,"innerUnitCount":10}]})");
        };
        CHECK(partial(3).status == 201);
        CHECK(partial(6).status == 201);
        reply = partial(2);
        CHECK(reply.status == 409);
        CHECK(reply.body.find("only 1 units") != std::string::npos);
        CHECK(partial(1).status == 201);
        CHECK(partial(1).status == 409);  // whole now
        CHECK(client
                  .post("/api/v2/cis/sell",
                        R"({"cis_list":[{"cis":")" + pack + R"(","soldUnitCount":2}]})")
                  .status == 400);

        // Without a relay every document stays here, final: state local.
        const auto outbox = piotd.outbox();
        CHECK(outbox["relay"].IsNull());
        CHECK(outbox["counts"]["done"].GetUint() == 6);  // the refused sales made none
        CHECK(outbox["counts"]["queued"].GetUint() == 0);
    }

    TEST_CASE("documents: per-field errors, idempotency key in header or body") {
        Piotd piotd;
        HttpClient client(piotd.port);
        const auto error_field = [&](const std::string& body) {
            const HttpReply reply = client.post("/api/v1/documents", body);
            CHECK(reply.status == 400);
            const auto answer = json_of(reply.body);
            return answer.HasMember("field") ? std::string(answer["field"].GetString())
                                             : std::string("(none)");
        };
        const std::string head = std::string("{\"type\":\"withdrawal\",\"inn\":\"7700000001\",") +
                                 "\"action\":\"RETAIL\",\"document_type\":\"RECEIPT\"," +
                                 "\"document_number\":\"1\",";
        const std::string fn = "\"fn_number\":\"7284440700391860\",";
        const std::string one = "\"products\":[{\"cis\":\"" + code(3) + "\",\"price\":1}";
        const std::string good_date = "\"action_date\":\"2026-02-03\",";
        const std::string not_json = "{not json";
        const std::string bad_type = "{\"type\":\"sale\"}";
        const std::string bad_inn = std::string("{\"type\":\"withdrawal\",\"inn\":\"12\"}");
        const std::string bad_date = head + fn + "\"action_date\":\"2026-02-30\"," + one + "]}";
        const std::string bad_code = head + fn + good_date + one + ",{\"cis\":\"garbage code\"}]}";
        const std::string no_fn = head + good_date + one + "]}";
        const std::string bad_return =
            std::string("{\"type\":\"return\",\"inn\":\"7700000001\",\"action\":\"RETAIL\",") +
            good_date + "\"document_type\":\"RECEIPT\",\"document_number\":\"1\"," + one + "]}";
        CHECK(error_field(not_json) == "(none)");
        CHECK(error_field(bad_type) == "type");
        CHECK(error_field(bad_inn) == "inn");
        CHECK(error_field(bad_date) == "action_date");
        CHECK(error_field(bad_code) == "products[1].cis");
        CHECK(error_field(no_fn) == "fn_number");
        CHECK(error_field(bad_return) == "action");

        // The same key twice: one document; the same key with other content: 409.
        HttpReply first = post_keyed(client, "/api/v1/documents", withdrawal(code(4)), "pos-1");
        REQUIRE(first.status == 201);
        HttpReply again = post_keyed(client, "/api/v1/documents", withdrawal(code(4)), "pos-1");
        CHECK(again.status == 200);
        CHECK(json_of(first.body)["seq"].GetUint() == json_of(again.body)["seq"].GetUint());
        CHECK(client.post("/api/v1/documents", withdrawal(code(4), R"(,"id":"pos-1")")).status ==
              200);
        HttpReply other = post_keyed(client, "/api/v1/documents", withdrawal(code(5)), "pos-1");
        CHECK(other.status == 409);
        CHECK(json_of(other.body)["errorCode"].GetInt() == 4091);
        CHECK(post_keyed(client, "/api/v1/documents", withdrawal(code(4), R"(,"id":"pos-2")"),
                         "pos-1")
                  .status == 400);
        CHECK(piotd.state_of("pos-1") == "local");
        CHECK(piotd.state_of("nope") == "status 404");
        // A withdrawal document marks its codes sold too.
        CHECK(piotd.sold(code(4)));
    }

    TEST_CASE("relay to the sink: 500, hang and garbage are retried; order kept; each once") {
        Sink sink;
        Piotd piotd({"--relay", sink.url()});
        HttpClient client(piotd.port);
        std::vector<std::string> sent;
        const auto enqueue = [&](int n) {
            const std::string key = "doc-" + std::to_string(n);
            const HttpReply reply =
                post_keyed(client, "/api/v1/documents", withdrawal(code(100 + n)), key);
            REQUIRE(reply.status == 201);
            sent.push_back(key);
        };
        for (int i = 0; i < 5; ++i) enqueue(i);
        REQUIRE(eventually([&] { return sink.ids().size() == 5; }));

        for (const std::string fault :
             {R"({"mode":"status","status":500,"count":3})",
              R"({"mode":"hang","delay_ms":1500,"count":2})", R"({"mode":"garbage","count":3})",
              R"({"mode":"status","status":503,"count":2})"}) {
            sink.fault(fault);
            const std::size_t before = sent.size();
            for (int i = 0; i < 4; ++i) enqueue(static_cast<int>(before) + i);
            REQUIRE_MESSAGE(eventually([&] { return piotd.pending() == 0; }), fault);
        }
        CHECK(sink.ids() == sent);  // first arrivals in enqueue order, none missing
        const auto outbox = piotd.outbox();
        CHECK(outbox["counts"]["done"].GetUint() == sent.size());
        // LM sales go to the upstream's LM endpoint, with the same dedup key.
        REQUIRE(client.post("/api/v2/cis/sell", sell_body(code(999))).status == 201);
        REQUIRE(eventually([&] { return sink.ids().size() == sent.size() + 1; }));
        const std::string body = sink.control.get("/control/document?id=" + sink.ids().back()).body;
        CHECK(body.find(code(999)) != std::string::npos);
    }

    TEST_CASE("permanent rejection: dead letter with the reason, then retry delivers it") {
        Sink sink;
        Piotd piotd({"--relay", sink.url()});
        HttpClient client(piotd.port);
        sink.fault(R"({"mode":"reject"})");
        REQUIRE(post_keyed(client, "/api/v1/documents", withdrawal(code(7)), "bad-1").status ==
                201);
        REQUIRE(eventually([&] { return piotd.state_of("bad-1") == "dead"; }));
        auto outbox = piotd.outbox();
        CHECK(outbox["counts"]["dead"].GetUint() == 1);
        REQUIRE(outbox["documents"].Size() == 1);
        CHECK(
            std::string(outbox["documents"][0]["reason"].GetString()).find("injected permanent") !=
            std::string::npos);
        bool warned = false;
        for (const auto& w : outbox["warnings"].GetArray())
            warned |= w.GetString() == std::string("dead_letters");
        CHECK(warned);

        HttpReply detail = client.get("/api/v1/outbox/bad-1");
        REQUIRE(detail.status == 200);
        CHECK(json_of(detail.body)["document"]["products"][0]["cis"].GetString() == code(7));
        CHECK(client.post("/api/v1/outbox/nope/retry", "").status == 404);

        sink.fault(R"({"mode":"none"})");
        REQUIRE(client.post("/api/v1/outbox/bad-1/retry", "").status == 200);
        CHECK(client.post("/api/v1/outbox/bad-1/retry", "").status != 200);
        REQUIRE(eventually([&] { return piotd.state_of("bad-1") == "delivered"; }));
        CHECK(sink.ids() == std::vector<std::string>{"bad-1"});
    }

    TEST_CASE("kill -9 while 1,000 documents are enqueued and relayed, 20 times: none lost") {
        Sink sink;
        Piotd piotd({"--relay", sink.url()});
        constexpr int kDocuments = 1000;
        constexpr int kKills = 20;
        std::mt19937 random(20261123);
        int next = 0;
        int kills = 0;
        while (kills < kKills) {
            std::atomic<bool> posting{true};
            const int delay_ms = std::uniform_int_distribution<int>(20, 200)(random);
            std::thread killer([&] {
                const auto until =
                    std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms);
                while (posting && std::chrono::steady_clock::now() < until)
                    std::this_thread::sleep_for(2ms);
                piotd.process->kill_hard();
            });
            {
                HttpClient client(piotd.port);
                while (next < kDocuments) {
                    const std::string key = "k-" + std::to_string(next);
                    try {
                        const HttpReply reply = post_keyed(client, "/api/v1/documents",
                                                           withdrawal(code(10'000 + next)), key);
                        REQUIRE_MESSAGE((reply.status == 201 || reply.status == 200), reply.body);
                        ++next;  // acknowledged: must reach the sink exactly once
                    } catch (const std::exception&) {
                        break;  // killed mid-request: the same key is posted again after restart
                    }
                }
            }
            posting = false;
            killer.join();
            ++kills;
            piotd.start();
        }
        HttpClient client(piotd.port);
        for (; next < kDocuments; ++next) {
            const std::string key = "k-" + std::to_string(next);
            const HttpReply reply =
                post_keyed(client, "/api/v1/documents", withdrawal(code(10'000 + next)), key);
            REQUIRE((reply.status == 201 || reply.status == 200));
        }
        REQUIRE(eventually([&] { return piotd.pending() == 0; }, 30s));
        const std::vector<std::string> ids = sink.ids();
        std::vector<std::string> expected;
        for (int i = 0; i < kDocuments; ++i) expected.push_back("k-" + std::to_string(i));
        CHECK(ids.size() == expected.size());
        CHECK(ids == expected);  // every one, once (by id), in order
        CHECK(piotd.outbox()["counts"]["done"].GetUint() == static_cast<unsigned>(kDocuments));
        MESSAGE("requests at the sink: " << sink.received()["requests"].GetUint() << " for "
                                         << kDocuments << " documents");
    }

    TEST_CASE("store <- till: a till's sales and documents reach the store piotd, and beyond") {
        Sink sink;  // what the store relays to (another piotd, the True API …)
        Piotd store({"--relay", sink.url()});
        Piotd till(
            {"--relay", "http://127.0.0.1:" + std::to_string(store.port), "--relay-kind", "piotd"},
            {{"PIOTD_RELAY_USER", "admin"}, {"PIOTD_RELAY_PASSWORD", "admin"}});
        HttpClient client(till.port);
        const HttpReply sale = client.post("/api/v2/cis/sell", sell_body(code(50)));
        REQUIRE(sale.status == 201);
        const std::string sale_id = json_of(sale.body)["id"].GetString();
        REQUIRE(post_keyed(client, "/api/v1/documents", withdrawal(code(51)), "till-doc").status ==
                201);
        REQUIRE(eventually([&] { return till.pending() == 0; }));
        CHECK(till.state_of(sale_id) == "delivered");
        CHECK(till.state_of("till-doc") == "delivered");
        // The store has both, under the same ids, and its sold set knows the codes.
        REQUIRE(eventually([&] { return store.pending() == 0; }));
        CHECK(store.state_of(sale_id) == "delivered");
        CHECK(store.state_of("till-doc") == "delivered");
        // The store forwarded both under the till's ids: one document each, end to end.
        CHECK(sink.ids() == std::vector<std::string>{sale_id, "till-doc"});
        CHECK(store.sold(code(50)));
        CHECK(store.sold(code(51)));
        // A return goes the same way and frees the code at the store.
        REQUIRE(client.post("/api/v2/cis/return", sell_body(code(50))).status == 200);
        REQUIRE(eventually([&] { return !store.sold(code(50)); }));
    }

    TEST_CASE("a till's backlog reaches a store that was down, in batches; the batch endpoint") {
        const unsigned short store_port = free_port();
        Piotd till({"--relay", "http://127.0.0.1:" + std::to_string(store_port)},
                   {{"PIOTD_RELAY_PASSWORD", "admin"}});
        HttpClient client(till.port);
        std::vector<std::string> ids;
        for (int i = 0; i < 40; ++i) {
            const std::string key = "backlog-" + std::to_string(i);
            REQUIRE(
                post_keyed(client, "/api/v1/documents", withdrawal(code(300 + i)), key).status ==
                201);
            ids.push_back(key);
        }
        const HttpReply sale = client.post("/api/v2/cis/sell", sell_body(code(399)));
        REQUIRE(sale.status == 201);
        ids.push_back(json_of(sale.body)["id"].GetString());
        CHECK(till.pending() == 41);
        const std::string waiting = till.state_of("backlog-0");
        CHECK((waiting == "queued" || waiting == "sending"));  // a round may be trying right now

        Piotd store({}, {}, store_port);
        REQUIRE(eventually([&] { return till.pending() == 0; }));
        HttpClient store_client(store_port);
        for (const std::string& id : ids) {
            CHECK(store_client.get("/api/v1/documents/" + id).status == 200);
        }
        CHECK(store.outbox()["counts"]["total"].GetUint() == ids.size());
        CHECK(store.sold(code(339)));
        CHECK(store.sold(code(399)));

        // The endpoint itself: per-document results, in order; a retry is a duplicate.
        std::string batch = "{\"documents\":[" + withdrawal(code(500), R"(,"id":"b-1")") + "," +
                            withdrawal(code(501)) + "," +
                            withdrawal(code(502), R"(,"id":"backlog-0")") + "]}";
        HttpReply reply = store_client.post("/api/v1/documents/batch", batch);
        REQUIRE(reply.status == 200);
        auto results = json_of(reply.body);
        REQUIRE(results["results"].Size() == 3);
        CHECK(results["results"][0]["status"].GetInt() == 201);
        CHECK(results["results"][1]["status"].GetInt() == 400);  // no id
        CHECK(std::string(results["results"][1]["field"].GetString()) == "documents[1].id");
        CHECK(results["results"][2]["status"].GetInt() == 409);  // same id, other document
        reply =
            store_client.post("/api/v1/documents/batch",
                              "{\"documents\":[" + withdrawal(code(500), R"(,"id":"b-1")") + "]}");
        CHECK(json_of(reply.body)["results"][0]["status"].GetInt() == 200);
        CHECK(store_client.post("/api/v1/documents/batch", R"({"documents":[]})").status == 400);
    }

    TEST_CASE("kill -9 of a till relaying to a store piotd in batches: the store has each once") {
        Piotd store;
        // Each burst of 40 leaves a backlog that goes out in batches while the till is killed.
        Piotd till({"--relay", "http://127.0.0.1:" + std::to_string(store.port)},
                   {{"PIOTD_RELAY_PASSWORD", "admin"}});
        constexpr int kDocuments = 300;
        std::mt19937 random(7);
        int next = 0;
        for (int kill = 0; kill < 8; ++kill) {
            {
                HttpClient client(till.port);
                const int until = std::min(kDocuments, next + 40);
                for (; next < until; ++next) {
                    const std::string key = "s-" + std::to_string(next);
                    REQUIRE(post_keyed(client, "/api/v1/documents", withdrawal(code(20'000 + next)),
                                       key)
                                .status == 201);
                }
            }
            std::this_thread::sleep_for(
                std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 30)(random)));
            till.process->kill_hard();
            till.start();
        }
        HttpClient client(till.port);
        for (; next < kDocuments; ++next) {
            REQUIRE(post_keyed(client, "/api/v1/documents", withdrawal(code(20'000 + next)),
                               "s-" + std::to_string(next))
                        .status == 201);
        }
        REQUIRE(eventually([&] { return till.pending() == 0; }, 30s));
        const auto outbox = store.outbox();
        CHECK(outbox["counts"]["total"].GetUint() == static_cast<unsigned>(kDocuments));
        HttpClient store_client(store.port);
        for (int i = 0; i < kDocuments; i += 37) {
            CHECK(store_client.get("/api/v1/documents/s-" + std::to_string(i)).status == 200);
        }
        CHECK(till.outbox()["counts"]["done"].GetUint() == static_cast<unsigned>(kDocuments));
    }

    TEST_CASE("relay kind lm: documents and sales go to the LM's sell/return endpoints") {
        Sink sink;
        Piotd piotd({"--relay", sink.url(), "--relay-kind", "lm"});
        HttpClient client(piotd.port);
        REQUIRE(post_keyed(client, "/api/v1/documents", withdrawal(code(80)), "lm-doc").status ==
                201);
        REQUIRE(client.post("/api/v2/cis/return", sell_body(code(80))).status == 200);
        REQUIRE(eventually([&] { return piotd.pending() == 0; }));
        const std::vector<std::string> ids = sink.ids();
        REQUIRE(ids.size() == 2);
        CHECK(ids[0] == "lm-doc");
        const std::string sale = sink.control.get("/control/document?id=lm-doc").body;
        CHECK(json_of(sale)["cis_list"][0].GetString() == code(80));
        CHECK(json_of(sale)["id"].GetString() == std::string("lm-doc"));
    }

    TEST_CASE("True API: unsigned refused at enqueue; signed ones created and polled") {
        Sink sink;
        {
            Piotd unsigned_relay({"--relay", sink.url(), "--relay-kind", "trueapi"},
                                 {{"PIOTD_RELAY_TOKEN", "t0ken"}});
            HttpClient client(unsigned_relay.port);
            HttpReply reply = client.post("/api/v1/documents", withdrawal(code(60)));
            CHECK(reply.status == 503);
            CHECK(json_of(reply.body)["errorCode"].GetInt() == 5033);
            CHECK(reply.body.find("sign") != std::string::npos);
            // LM sales are withdrawn by the fiscal receipt: kept here, not sent (docs/relay.md).
            reply = client.post("/api/v2/cis/sell", sell_body(code(61)));
            CHECK(reply.status == 201);
            CHECK(unsigned_relay.state_of(json_of(reply.body)["id"].GetString()) == "local");
        }
        {
            Piotd failing({"--relay", sink.url(), "--relay-kind", "trueapi", "--sign-command",
                           "echo 'no key' >&2; exit 3"},
                          {{"PIOTD_RELAY_TOKEN", "t0ken"}});
            HttpClient client(failing.port);
            const HttpReply reply = client.post("/api/v1/documents", withdrawal(code(60)));
            CHECK(reply.status == 503);
            CHECK(reply.body.find("status 3") != std::string::npos);
            // The signer's stderr goes to piotd's log, never to the client.
            CHECK(reply.body.find("no key") == std::string::npos);
            CHECK(eventually(
                [&] { return failing.process->log().find("no key") != std::string::npos; }));
        }
        Piotd piotd(
            {"--relay", sink.url(), "--relay-kind", "trueapi", "--sign-command", "base64 -w0"},
            {{"PIOTD_RELAY_TOKEN", "t0ken"}});
        HttpClient client(piotd.port);
        std::string unknown_group = withdrawal(code(62));
        unknown_group.replace(unknown_group.find("\"pg\":8"), 6, "\"pg\":99");
        HttpReply reply = client.post("/api/v1/documents", unknown_group);
        CHECK(reply.status == 400);
        REQUIRE(post_keyed(client, "/api/v1/documents", withdrawal(code(62)), "ta-1").status ==
                201);
        REQUIRE(eventually([&] { return piotd.state_of("ta-1") == "delivered"; }));
        const std::string body = sink.control.get("/control/document?id=ta-1").body;
        const auto lk = json_of(body);  // the LK_RECEIPT the True API received
        CHECK(std::string(lk["action"].GetString()) == "RETAIL");
        CHECK(std::string(lk["products"][0]["cis"].GetString()) == code(62));
        CHECK(lk["products"][0]["product_cost"].GetInt() == 8990);
        const auto record = json_of(client.get("/api/v1/outbox/ta-1").body);
        CHECK(std::string(record["upstreamId"].GetString()) == "doc-ta-1");

        // CHECKED_NOT_OK counts as a rejection: dead after dead_after (2) of them.
        sink.fault(R"({"mode":"not_ok"})");
        REQUIRE(post_keyed(client, "/api/v1/documents",
                           R"({"type":"return","inn":"7700000001","action":"RETAIL_RETURN",)"
                           R"("action_date":"2026-11-22","document_type":"RECEIPT",)"
                           R"("document_number":"77","fn_number":"7284440700391860","pg":8,)"
                           R"("paid":true,"products":[{"cis":")" +
                               code(62) + R"("}]})",
                           "ta-2")
                    .status == 201);
        REQUIRE(eventually([&] { return piotd.state_of("ta-2") == "dead"; }));
        const auto lp = json_of(sink.control.get("/control/document?id=ta-2").body);
        CHECK(std::string(lp["return_type"].GetString()) == "RETAIL_RETURN");
        CHECK(std::string(lp["products_list"][0]["ki"].GetString()) == code(62));
        CHECK(std::string(lp["products_list"][0]["primary_document_number"].GetString()) == "77");
    }

    TEST_CASE("the signer runs off the I/O threads: checks are answered while it signs") {
        Sink sink;
        TempDir gate_dir;
        const auto gate = gate_dir.path() / "gate";
        // One I/O thread, and a signer that waits until the test opens the gate: were it run on
        // that thread, no check could be answered meanwhile.
        Piotd piotd(
            {"--threads", "1", "--relay", sink.url(), "--relay-kind", "trueapi", "--sign-command",
             "while [ ! -e " + gate.string() + " ]; do sleep 0.02; done; base64 -w0"},
            {{"PIOTD_RELAY_TOKEN", "t0ken"}});
        std::atomic<int> status{0};
        std::thread poster([&] {
            HttpClient client(piotd.port);
            status = post_keyed(client, "/api/v1/documents", withdrawal(code(63)), "gate-1").status;
        });
        HttpClient checks(piotd.port);
        for (int i = 0; i < 20; ++i) {
            CHECK(checks.get("/api/v1/cis/check?cis=" + code(64)).status == 200);
        }
        CHECK(status == 0);  // still signing
        std::ofstream(gate).put('x');
        poster.join();
        CHECK(status == 201);
        CHECK(eventually([&] { return piotd.state_of("gate-1") == "delivered"; }));
    }
}
