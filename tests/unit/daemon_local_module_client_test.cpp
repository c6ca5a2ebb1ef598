// The local-module client's pieces that need no network (docs/local-module.md): the [local_module]
// section and its flag, the relay it implies, the circuit, and the 72-hour readiness rule.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>

#include "daemon/command_line.hpp"
#include "daemon/config.hpp"
#include "daemon/lm_upstream/lm_circuit.hpp"
#include "daemon/lm_upstream/lm_mirror.hpp"

using namespace piotd::daemon;
using std::chrono::milliseconds;

TEST_SUITE("daemon.local_module") {
    TEST_CASE("[local_module] keys, their bounds, and the flag") {
        Config config;
        set_config_value(config, "local_module", "url", "http://127.0.0.1:5996");
        set_config_value(config, "local_module", "api", "1");
        set_config_value(config, "local_module", "timeout_ms", "250");
        set_config_value(config, "local_module", "on_failure", "deny");
        CHECK(config.local_module.url == "http://127.0.0.1:5996");
        CHECK(config.local_module.api == LmApiChoice::v1);
        CHECK(config.local_module.timeout_ms == 250);
        CHECK(config.local_module.on_failure == LmFailurePolicy::deny);
        CHECK_THROWS_WITH(set_config_value(config, "local_module", "api", "3"),
                          "local_module.api must be auto, 1 or 2");
        CHECK_THROWS(set_config_value(config, "local_module", "timeout_ms", "0"));
        CHECK_THROWS(set_config_value(config, "local_module", "on_failure", "maybe"));
        CHECK_THROWS_WITH(set_config_value(config, "local_module", "nope", "1"),
                          "unknown key local_module.nope");

        const char* argv[] = {"piotd", "--local-module", "https://lm:5995"};
        const CommandLine line = parse_command_line(3, argv);
        REQUIRE(line.local_module);
        CHECK(*line.local_module == "https://lm:5995");
    }

    TEST_CASE("PIOTD_LM_USER and PIOTD_LM_PASSWORD set the LM's credentials") {
        setenv("PIOTD_LM_USER", "lmuser", 1);
        setenv("PIOTD_LM_PASSWORD", "lmpass", 1);
        Config config;
        apply_environment(config);
        unsetenv("PIOTD_LM_USER");
        unsetenv("PIOTD_LM_PASSWORD");
        CHECK(config.local_module.user == "lmuser");
        CHECK(config.local_module.password == "lmpass");
    }

    TEST_CASE("a local module without a relay of its own gets sales and returns") {
        Config config;
        config.local_module.url = "http://127.0.0.1:5996";
        config.local_module.password = "x";
        apply_local_module_relay(config);
        CHECK(config.relay.url == "http://127.0.0.1:5996");
        CHECK(config.relay.kind == RelayKind::lm);
        CHECK(config.relay.password == "x");

        Config own;
        own.local_module.url = "http://127.0.0.1:5996";
        own.relay.url = "http://store:5995";
        apply_local_module_relay(own);
        CHECK(own.relay.url == "http://store:5995");
        CHECK(own.relay.kind == RelayKind::piotd);
    }

    TEST_CASE("the circuit opens after consecutive failures, probes once, and closes") {
        LmCircuit circuit(3, milliseconds(1000), milliseconds(8000));
        CHECK(circuit.allow(0));
        circuit.record_failure(0);
        circuit.record_failure(0);
        CHECK(circuit.state() == LmCircuit::State::closed);
        circuit.record_success();  // the count is of consecutive failures
        for (int i = 0; i < 3; ++i) circuit.record_failure(10);
        CHECK(circuit.state() == LmCircuit::State::open);
        CHECK_FALSE(circuit.allow(11));
        const std::int64_t until = circuit.open_until_ms();
        CHECK(until >= 10 + 500);  // [delay/2, delay] with jitter
        CHECK(until <= 10 + 1000);
        // Open time over: one probe, the others keep skipping until it reports.
        CHECK(circuit.allow(until));
        CHECK(circuit.state() == LmCircuit::State::half_open);
        CHECK_FALSE(circuit.allow(until));
        // The probe failed: open again, for longer.
        circuit.record_failure(until);
        CHECK(circuit.state() == LmCircuit::State::open);
        CHECK(circuit.open_until_ms() > until);
        CHECK(circuit.times_opened() == 2);
        CHECK(circuit.allow(circuit.open_until_ms()));
        circuit.record_success();
        CHECK(circuit.state() == LmCircuit::State::closed);
        CHECK(circuit.allow(0));
    }

    TEST_CASE("the mirror says when the LM cannot answer: not ready, or lastSync past 72 h") {
        LmMirror mirror;
        const std::int64_t now = 1'800'000'000'000;
        CHECK(lm_unready(mirror, now).kind.empty());  // never polled: let the circuit judge
        mirror.status = piotd::protocol::LmClientStatus{};
        mirror.status->status = "initialization";
        CHECK(lm_unready(mirror, now).kind == "not_ready");
        CHECK(lm_unready(mirror, now).reason == "status initialization");
        mirror.status->status = "sync_error";
        CHECK(lm_unready(mirror, now).kind == "out_of_sync");
        mirror.status->status = "ready";
        mirror.status->last_sync_ms = now - kLmSyncLimitMs;
        CHECK(lm_unready(mirror, now).kind.empty());
        mirror.status->last_sync_ms = now - kLmSyncLimitMs - 3'600'000;
        CHECK(lm_unready(mirror, now).kind == "out_of_sync");
        CHECK(lm_unready(mirror, now).reason == "lastSync 73 h ago (72 h rule)");
    }
}

#include "daemon/permissive/verdict_cache.hpp"

TEST_SUITE("daemon.local_module") {
    TEST_CASE("verdicts checked ahead: one sale takes them, within the window, all or none") {
        using Clock = VerdictCache::Clock;
        VerdictCache cache(milliseconds(1000), 2);
        const Clock::time_point t0{};
        AheadVerdict a;
        a.req_id = "a";
        AheadVerdict b;
        b.req_id = "b";
        cache.put("A", a, t0);
        cache.put("B", b, t0);
        const std::string_view both[] = {"A", "B"};
        const std::string_view with_unknown[] = {"A", "C"};
        const std::string_view twice[] = {"A", "A"};
        CHECK_FALSE(cache.take_all(with_unknown, t0));  // all or none
        CHECK_FALSE(cache.take_all(twice, t0));         // one verdict covers one position
        CHECK(cache.size() == 2);
        const auto taken = cache.take_all(both, t0 + milliseconds(500));
        REQUIRE(taken);
        CHECK((*taken)[0].req_id == "a");
        CHECK((*taken)[1].req_id == "b");
        CHECK_FALSE(cache.take_all(both, t0 + milliseconds(500)));  // taken: never another sale's
        CHECK(cache.size() == 0);

        cache.put("A", a, t0);
        const std::string_view one[] = {"A"};
        CHECK_FALSE(cache.take_all(one, t0 + milliseconds(1001)));  // past the window
        // Full: the oldest goes.
        cache.put("A", a, t0);
        cache.put("B", b, t0 + milliseconds(1));
        cache.put("C", a, t0 + milliseconds(2));
        CHECK(cache.size() == 2);
        CHECK_FALSE(cache.take_all(one, t0 + milliseconds(3)));
    }
}
