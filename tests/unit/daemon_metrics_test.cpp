// The Prometheus text format, the registry, and per-route HTTP counts through the router.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "daemon/checks/check_metrics.hpp"
#include "daemon/clock.hpp"
#include "daemon/config.hpp"
#include "daemon/local_module.hpp"
#include "daemon/metrics/http_metrics.hpp"
#include "daemon/metrics/metrics_registry.hpp"
#include "daemon/metrics/module_metrics.hpp"
#include "daemon/metrics/prometheus_text.hpp"
#include "daemon/status/lag_history.hpp"
#include "daemon/status/status_snapshot.hpp"
#include "tests/unit/storage_test_support.hpp"

using namespace piotd::daemon;

namespace {

Request get(const std::string& target) {
    Request request(http::verb::get, target, 11);
    request.set(http::field::authorization, "Basic YWRtaW46YWRtaW4=");  // admin:admin
    return request;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

struct FixedLocalModule : LocalModuleStatusProvider {
    LmMirror mirror;
    LmMirror local_module() const override { return mirror; }
};

}  // namespace

TEST_SUITE("daemon.metrics") {
    TEST_CASE("counts from many threads add up across the per-CPU slots") {
        Counter counter;
        Histogram histogram(check_latency_buckets_ns());
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 10'000; ++i) {
                    counter.inc();
                    histogram.observe_ns(300);                      // the 500 ns bucket
                    histogram.observe_ns(std::uint64_t{10} << 40);  // +Inf
                }
            });
        }
        for (auto& thread : threads) thread.join();
        CHECK(counter.value() == 80'000);
        const auto counts = histogram.bucket_counts();
        CHECK(counts[1] == 80'000);
        CHECK(counts.back() == 80'000);
        CHECK(histogram.sum_ns() == 80'000 * (300 + (std::uint64_t{10} << 40)));
    }

    TEST_CASE("values: integers plain, fractions shortest, infinities and NaN spelled out") {
        CHECK(format_metric_value(0) == "0");
        CHECK(format_metric_value(42) == "42");
        CHECK(format_metric_value(-3) == "-3");
        CHECK(format_metric_value(0.25) == "0.25");
        CHECK(format_metric_value(1e300) == "1e+300");
        CHECK(format_metric_value(1.0 / 0.0) == "+Inf");
        CHECK(format_metric_value(-1.0 / 0.0) == "-Inf");
        CHECK(format_metric_value(0.0 / 0.0) == "NaN");
    }

    TEST_CASE("headers escape help text; label values escape backslash, quote and newline") {
        std::string out;
        write_metric_header(out, "piotd_x", "a \\ b\nc", MetricType::counter);
        CHECK(out == "# HELP piotd_x a \\\\ b\\nc\n# TYPE piotd_x counter\n");
        out.clear();
        write_metric_sample(out, "piotd_x", {{"a", "q\"\\\n"}, {"b", "ок"}}, 7);
        CHECK(out == "piotd_x{a=\"q\\\"\\\\\\n\",b=\"ок\"} 7\n");
        out.clear();
        write_metric_sample(out, "piotd_y", {}, 1.5);
        CHECK(out == "piotd_y 1.5\n");
    }

    TEST_CASE("histogram buckets are cumulative, in seconds, with +Inf, _sum and _count") {
        const std::uint64_t bounds[] = {1'000, 1'000'000};
        Histogram histogram(bounds);
        histogram.observe_ns(500);
        histogram.observe_ns(1'000);  // on the bound: le is inclusive
        histogram.observe_ns(2'000);
        histogram.observe_ns(5'000'000'000);
        std::string out;
        write_histogram_samples(out, "piotd_h", {{"s", "local"}}, histogram);
        CHECK(out ==
              "piotd_h_bucket{s=\"local\",le=\"1e-06\"} 2\n"
              "piotd_h_bucket{s=\"local\",le=\"0.001\"} 3\n"
              "piotd_h_bucket{s=\"local\",le=\"+Inf\"} 4\n"
              "piotd_h_sum{s=\"local\"} 5.0000035\n"
              "piotd_h_count{s=\"local\"} 4\n");
    }

    TEST_CASE("registry: one header per family, same name and labels give the same counter") {
        MetricsRegistry registry;
        Counter& a = registry.counter("piotd_a_total", "help a", {{"k", "1"}});
        Counter& again = registry.counter("piotd_a_total", "help a", {{"k", "1"}});
        Counter& other = registry.counter("piotd_a_total", "help a", {{"k", "2"}});
        CHECK(&a == &again);
        CHECK(&a != &other);
        a.inc();
        again.inc(2);
        registry.add_collector([](std::vector<MetricSample>& out) {
            out.push_back({"piotd_g", "gauge", MetricType::gauge, {{"l", "x"}}, 1});
        });
        registry.add_collector([](std::vector<MetricSample>& out) {
            out.push_back({"piotd_g", "gauge", MetricType::gauge, {{"l", "y"}}, 2});
        });
        CHECK_THROWS_AS(registry.histogram("piotd_a_total", "", {}, check_latency_buckets_ns()),
                        std::logic_error);
        const std::string text = registry.render();
        CHECK(text ==
              "# HELP piotd_a_total help a\n# TYPE piotd_a_total counter\n"
              "piotd_a_total{k=\"1\"} 3\npiotd_a_total{k=\"2\"} 0\n"
              "# HELP piotd_g gauge\n# TYPE piotd_g gauge\n"
              "piotd_g{l=\"x\"} 1\npiotd_g{l=\"y\"} 2\n");
    }

    TEST_CASE("HTTP counts are labelled by route pattern, never by the raw path") {
        Router router(BasicAuth("admin", "admin"));
        router.add(http::verb::get, "/api/v1/x",
                   [](const RequestContext&) { return Response(http::status::ok, 11); });
        router.add(http::verb::get, "/files/*",
                   [](const RequestContext&) { return Response(http::status::ok, 11); });
        router.add(http::verb::get, "/boom",
                   [](const RequestContext&) -> Reply { throw std::runtime_error("boom"); });
        MetricsRegistry registry;
        HttpMetrics metrics(router, registry);
        router.handle(get("/api/v1/x"));
        router.handle(get("/api/v1/x?cis=1"));
        router.handle(get("/files/a"));
        router.handle(get("/files/<script>"));
        router.handle(get("/boom"));
        for (int i = 0; i < 3; ++i) router.handle(get("/random/" + std::to_string(i)));
        Request unauthenticated(http::verb::get, "/api/v1/x", 11);
        router.handle(unauthenticated);
        Request post(http::verb::post, "/api/v1/x", 11);
        router.handle(post);
        const std::string text = registry.render();
        CHECK(contains(
            text,
            "piotd_http_requests_total{route=\"/api/v1/x\",method=\"GET\",status=\"200\"} 2\n"));
        CHECK(contains(
            text,
            "piotd_http_requests_total{route=\"/api/v1/x\",method=\"GET\",status=\"401\"} 1\n"));
        CHECK(contains(
            text,
            "piotd_http_requests_total{route=\"/files/*\",method=\"GET\",status=\"200\"} 2\n"));
        CHECK(contains(
            text, "piotd_http_requests_total{route=\"/boom\",method=\"GET\",status=\"500\"} 1\n"));
        CHECK(contains(
            text,
            "piotd_http_requests_total{route=\"unmatched\",method=\"any\",status=\"404\"} 3\n"));
        CHECK(contains(
            text,
            "piotd_http_requests_total{route=\"unmatched\",method=\"any\",status=\"405\"} 1\n"));
        CHECK(!contains(text, "script"));
        CHECK(!contains(text, "random"));
    }

    TEST_CASE("check metrics count by source and verdict; unknown sources are ignored") {
        MetricsRegistry registry;
        CheckMetrics metrics(registry);
        const CheckEvent events[] = {
            {"local", "a", CheckVerdict::blocked, 400, 0},
            {"local", "b", CheckVerdict::not_blocked, 800, 0},
            {"local", "c", CheckVerdict::not_blocked, 3'000, 0},
            {"elsewhere", "d", CheckVerdict::blocked, 1, 0},
        };
        metrics.on_checks(events);
        const std::string text = registry.render();
        CHECK(contains(text, "piotd_checks_total{source=\"local\",verdict=\"blocked\"} 1\n"));
        CHECK(contains(text, "piotd_checks_total{source=\"local\",verdict=\"not_blocked\"} 2\n"));
        CHECK(contains(text,
                       "piotd_check_duration_seconds_bucket{source=\"local\",verdict=\"not_"
                       "blocked\",le=\"1e-06\"} 1\n"));
        CHECK(contains(
            text,
            "piotd_check_duration_seconds_count{source=\"local\",verdict=\"not_blocked\"} 2\n"));
        CHECK(!contains(text, "elsewhere"));
        metrics.add_source("true_api");
        metrics.on_checks({&events[3], 1});
        CHECK(!contains(registry.render(), "source=\"true_api\",verdict=\"blocked\"} 1"));
        const CheckEvent online{"true_api", "e", CheckVerdict::error, 5, 0};
        metrics.on_checks({&online, 1});
        CHECK(contains(registry.render(),
                       "piotd_checks_total{source=\"true_api\",verdict=\"error\"} 1\n"));
    }

    TEST_CASE("a large batch is tallied locally with the same result as one by one") {
        MetricsRegistry batched_registry;
        MetricsRegistry single_registry;
        CheckMetrics batched(batched_registry);
        CheckMetrics single(single_registry);
        batched.add_source("cdn");
        single.add_source("cdn");
        std::vector<CheckEvent> events;
        for (std::uint64_t i = 0; i < 1000; ++i) {
            events.push_back({i % 7 == 0 ? "cdn" : "local", "c",
                              static_cast<CheckVerdict>(i % kCheckVerdictCount), i * 997, 0});
        }
        batched.on_checks(events);
        for (const CheckEvent& event : events) single.on_checks({&event, 1});
        CHECK(batched_registry.render() == single_registry.render());
        CHECK(contains(batched_registry.render(),
                       "piotd_checks_total{source=\"cdn\",verdict=\"not_blocked\"} 29\n"));
    }

    TEST_CASE("check overhead: one observation per request, its time besides the True API wait") {
        MetricsRegistry registry;
        CheckMetrics metrics(registry);
        metrics.add_source("online");
        // A request of three codes: 1,040 µs in all, 1,000 µs of it waiting for the True API.
        const CheckEvent request[] = {
            {"online", "a", CheckVerdict::not_blocked, 1'040'000, 0, 1'000'000},
            {"online", "b", CheckVerdict::blocked, 1'040'000, 0, 1'000'000},
            {"online", "c", CheckVerdict::not_blocked, 1'040'000, 0, 1'000'000},
        };
        metrics.on_checks(request);
        // Offline and local checks never waited: they are not counted.
        const CheckEvent local{"local", "d", CheckVerdict::not_blocked, 900, 0};
        metrics.on_checks({&local, 1});
        const std::string text = registry.render();
        CHECK(contains(text, "piotd_check_overhead_seconds_bucket{le=\"3e-05\"} 0\n"));
        CHECK(contains(text, "piotd_check_overhead_seconds_bucket{le=\"4e-05\"} 1\n"));
        CHECK(contains(text, "piotd_check_overhead_seconds_count 1\n"));
        CHECK(contains(text, "piotd_check_overhead_seconds_sum 4e-05\n"));
    }

    TEST_CASE("the local module's figures: up, ready, lastSync age, circuit, check counters") {
        const std::int64_t now = 1'795'000'000'000;
        LmMirror lm;
        lm.url = "http://lm:5995";
        lm.reachable = true;
        piotd::protocol::LmClientStatus status;
        status.status = "ready";
        status.last_sync_ms = now - 5'400'000;  // 1.5 h
        lm.status = status;
        lm.checks_answered = 7;
        lm.checks_failed = 2;
        lm.checks_skipped = 1;
        lm.circuit_opened = 3;
        MetricsRegistry registry;
        registry.add_collector([&lm, now](std::vector<MetricSample>& out) {
            collect_local_module_metrics(lm, now, out);
        });
        const std::string text = registry.render();
        CHECK(contains(text, "# TYPE piotd_local_module_up gauge\npiotd_local_module_up 1\n"));
        CHECK(contains(text, "\npiotd_local_module_ready 1\n"));
        CHECK(contains(text, "\npiotd_local_module_last_sync_age_seconds 5400\n"));
        CHECK(contains(text, "\npiotd_local_module_circuit_open 0\n"));
        CHECK(contains(text,
                       "# TYPE piotd_local_module_checks_total counter\n"
                       "piotd_local_module_checks_total{result=\"answered\"} 7\n"
                       "piotd_local_module_checks_total{result=\"failed\"} 2\n"
                       "piotd_local_module_checks_total{result=\"skipped\"} 1\n"));
        CHECK(contains(text,
                       "# TYPE piotd_local_module_circuit_opened_total counter\n"
                       "piotd_local_module_circuit_opened_total 3\n"));

        // Down, circuit open, the last status not ready, no lastSync: the age is absent.
        lm.reachable = false;
        lm.circuit = "open";
        lm.status->status = "initialization";
        lm.status->last_sync_ms.reset();
        const std::string down = registry.render();
        CHECK(contains(down, "\npiotd_local_module_up 0\n"));
        CHECK(contains(down, "\npiotd_local_module_ready 0\n"));
        CHECK(contains(down, "\npiotd_local_module_circuit_open 1\n"));
        CHECK(!contains(down, "piotd_local_module_last_sync_age_seconds"));
        lm.circuit = "half_open";
        lm.status.reset();
        const std::string probing = registry.render();
        CHECK(contains(probing, "\npiotd_local_module_circuit_open 1\n"));
        CHECK(contains(probing, "\npiotd_local_module_ready 0\n"));
    }

    TEST_CASE("scrapes and the status snapshot show the local module only when one is plugged in") {
        piotd::storage::test::TempDir dir;
        Config config;
        config.data_dir = dir.path();
        const Clock clock;
        const LocalModule module(config, clock);
        StatusSources sources;
        MetricsRegistry registry;
        add_module_metrics(registry, module, sources, {});
        CHECK(!contains(registry.render(), "piotd_local_module_"));
        const LagHistory lag;
        CHECK(!gather_status(module, lag, sources).local_module);

        FixedLocalModule provider;
        provider.mirror.url = "http://lm:5995";
        provider.mirror.reachable = true;
        sources.local_module = &provider;
        const std::string text = registry.render();
        CHECK(contains(text, "\npiotd_local_module_up 1\n"));
        CHECK(contains(text, "\npiotd_local_module_ready 0\n"));
        CHECK(!contains(text, "piotd_local_module_last_sync_age_seconds"));
        const StatusSnapshot snapshot = gather_status(module, lag, sources);
        REQUIRE(snapshot.local_module);
        CHECK(snapshot.local_module->url == "http://lm:5995");
    }
}
