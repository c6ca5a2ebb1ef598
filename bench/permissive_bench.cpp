// Permissive mode figures (docs/permissive-mode.md), against a running piotd and fake True API:
//   1. the True API round trip alone: codes/check straight to the fake, keep-alive;
//   2. the same check through piotd's POST /api/v1/piot/check (online source): the difference is
//      what piotd adds (HTTP in, hand-off to the True API thread, request and answer JSON, the
//      decision, tag 1260, hand-back to the I/O thread);
//   3. with the fake hanging: how long after the budget piotd answers from the local lists;
//   4. piotd's own time per check as the daemon measures it (piotd_check_overhead_seconds in its
//      /metrics, scraped before and after the measured requests): from the request's arrival to
//      its answer, minus the True API exchange. Bucket bounds, so "p99 <= 100" means that 99 %
//      of the requests fell in buckets up to 100 µs.
//   piotd_permissive_bench PIOTD_PORT FAKE_PORT FAKE_HOST_PORT BUDGET_MS [REQUESTS [FLOOR_PORT]]
// FLOOR_PORT: a proxy floor (bench/http_floor.cpp with an upstream port) that forwards the same
// body to the fake and relays the answer: the two extra loopback hops any proxy pays here. The
// difference piotd − floor is then what piotd itself adds.
// FAKE_HOST_PORT is the port the daemon talks to (the fake's first host); hangs are set there.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_http_client.hpp"

using piotd::bench::percentile;
using Client = piotd::bench::HttpClient;
using Clock = std::chrono::steady_clock;

namespace {

// 5.3 of tests/data/trueapi/scenarios.json: a tobacco block sold online.
const std::string kCode = "010462930887704421DzkcYt2\\u001d8005090000\\u001d93dGVz";

void report(const char* what, const std::vector<double>& us) {
    std::printf("%-44s p50 %8.1f  p90 %8.1f  p99 %8.1f  max %8.1f µs  (n=%zu)\n", what,
                percentile(us, 0.50), percentile(us, 0.90), percentile(us, 0.99),
                percentile(us, 1.0), us.size());
}

// piotd_check_overhead_seconds from /metrics: cumulative bucket counts (by upper bound, seconds),
// sum and count. The daemon's own measure of a check's time besides the True API wait.
struct OverheadHistogram {
    std::vector<std::pair<double, double>> buckets;  // (le, cumulative count); +Inf as infinity
    double sum = 0;
    double count = 0;
};

OverheadHistogram read_overhead(Client& piotd, const piotd::bench::Headers& auth) {
    OverheadHistogram histogram;
    piotd.get("/metrics", auth);
    const std::string& text = piotd.last_body();
    const std::string name = "piotd_check_overhead_seconds";
    std::size_t at = 0;
    while ((at = text.find(name, at)) != std::string::npos) {
        const std::size_t end = text.find('\n', at);
        const std::string line = text.substr(at, end - at);
        at = end;
        const double value = std::atof(line.substr(line.rfind(' ') + 1).c_str());
        if (line.starts_with(name + "_bucket{le=\"")) {
            const std::string le =
                line.substr(name.size() + 12, line.find('"', name.size() + 12) - name.size() - 12);
            histogram.buckets.emplace_back(
                le == "+Inf" ? std::numeric_limits<double>::infinity() : std::atof(le.c_str()),
                value);
        } else if (line.starts_with(name + "_sum ")) {
            histogram.sum = value;
        } else if (line.starts_with(name + "_count ")) {
            histogram.count = value;
        }
    }
    return histogram;
}

// The bucket bound below which a fraction p of the requests between two scrapes lie.
double overhead_bound_us(const OverheadHistogram& before, const OverheadHistogram& after,
                         double p) {
    const double total = after.count - before.count;
    for (std::size_t i = 0; i < after.buckets.size() && i < before.buckets.size(); ++i) {
        if (after.buckets[i].second - before.buckets[i].second >= p * total) {
            return after.buckets[i].first * 1e6;
        }
    }
    return std::numeric_limits<double>::infinity();
}

template <typename F>
std::vector<double> timed(int n, F&& call) {
    std::vector<double> us;
    us.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        const auto start = Clock::now();
        call();
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
    return us;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr,
                     "usage: piotd_permissive_bench PIOTD_PORT FAKE_PORT FAKE_HOST_PORT BUDGET_MS "
                     "[REQUESTS]\n");
        return 2;
    }
    const auto piotd_port = static_cast<unsigned short>(std::atoi(argv[1]));
    const auto fake_port = static_cast<unsigned short>(std::atoi(argv[2]));
    const std::string host_port = argv[3];
    const int budget_ms = std::atoi(argv[4]);
    const int requests = argc > 5 ? std::atoi(argv[5]) : 20000;
    const auto floor_port = static_cast<unsigned short>(argc > 6 ? std::atoi(argv[6]) : 0);

    Client upstream(fake_port);
    Client piotd(piotd_port);
    const std::string direct_body =
        R"({"codes":[")" + kCode + R"("],"fiscalDriveNumber":"7284440700391860"})";
    const std::string piot_body =
        R"({"items":[{"code":")" + kCode +
        R"(","price":90000,"quantity":1}],"fiscalDriveNumber":"7284440700391860"})";
    const piotd::bench::Headers key = {{"X-API-KEY", "bench"}};
    const piotd::bench::Headers basic = {{"Authorization", "Basic YWRtaW46YWRtaW4="}};

    // Warm-up, and a check that piotd really answers online.
    for (int i = 0; i < 500; ++i) {
        upstream.post("/api/v4/true-api/codes/check", direct_body, key);
        piotd.post("/api/v1/piot/check", piot_body, basic);
    }
    if (piotd.last_body().find(R"("source":"online")") == std::string::npos) {
        std::fprintf(stderr, "piotd did not answer online: %s\n", piotd.last_body().c_str());
        return 1;
    }
    std::unique_ptr<Client> floor;
    if (floor_port != 0) {
        floor = std::make_unique<Client>(floor_port);
        for (int i = 0; i < 500; ++i) floor->post("/", direct_body, {});
    }
    const OverheadHistogram overhead_before = read_overhead(piotd, basic);
    // Interleaved, so all see the same machine load.
    std::vector<double> direct;
    std::vector<double> proxied;
    std::vector<double> via;
    for (int round = 0; round < 10; ++round) {
        const auto d = timed(requests / 10, [&] {
            upstream.post("/api/v4/true-api/codes/check", direct_body, key);
        });
        if (floor) {
            const auto f = timed(requests / 10, [&] { floor->post("/", direct_body, {}); });
            proxied.insert(proxied.end(), f.begin(), f.end());
        }
        const auto v =
            timed(requests / 10, [&] { piotd.post("/api/v1/piot/check", piot_body, basic); });
        direct.insert(direct.end(), d.begin(), d.end());
        via.insert(via.end(), v.begin(), v.end());
    }
    auto difference = [](const char* what, const std::vector<double>& a,
                         const std::vector<double>& b) {
        std::printf("%-44s p50 %8.1f  p90 %8.1f  p99 %8.1f µs\n", what,
                    percentile(a, 0.50) - percentile(b, 0.50),
                    percentile(a, 0.90) - percentile(b, 0.90),
                    percentile(a, 0.99) - percentile(b, 0.99));
    };
    const OverheadHistogram overhead_after = read_overhead(piotd, basic);
    report("True API round trip (straight to the fake)", direct);
    if (floor) report("proxy floor (Beast forwarder to the fake)", proxied);
    report("POST /api/v1/piot/check (online)", via);
    difference("piotd's overhead (piotd - direct)", via, direct);
    if (floor) {
        difference("any proxy's hops here (floor - direct)", proxied, direct);
        difference("piotd's own share (piotd - floor)", via, proxied);
    }

    const double measured = overhead_after.count - overhead_before.count;
    std::printf("%-44s p50 <= %.0f  p90 <= %.0f  p99 <= %.0f µs  mean %.1f µs  (n=%.0f)\n",
                "piotd's own time per check (its /metrics)",
                overhead_bound_us(overhead_before, overhead_after, 0.50),
                overhead_bound_us(overhead_before, overhead_after, 0.90),
                overhead_bound_us(overhead_before, overhead_after, 0.99),
                measured > 0 ? (overhead_after.sum - overhead_before.sum) / measured * 1e6 : 0.0,
                measured);

    // Hanging upstream: every host of the daemon hangs; the answer comes from the local lists.
    Client control(fake_port);
    control.post("/control/fault?port=" + host_port + "&mode=hang&delay_ms=30000", "", {});
    std::vector<double> late;
    for (int i = 0; i < 20; ++i) {
        const auto start = Clock::now();
        piotd.post("/api/v1/piot/check", piot_body, basic);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        late.push_back(ms - budget_ms);
        if (piotd.last_body().find(R"("source":"offline")") == std::string::npos) {
            std::fprintf(stderr, "expected an offline answer: %s\n", piotd.last_body().c_str());
            return 1;
        }
    }
    control.post("/control/fault?port=" + host_port + "&mode=none", "", {});
    std::printf("%-44s p50 %8.2f  p90 %8.2f  max %8.2f ms  (n=%zu, budget %d ms)\n",
                "hanging upstream: answer after the budget", percentile(late, 0.5),
                percentile(late, 0.9), percentile(late, 1.0), late.size(), budget_ms);
    return 0;
}
