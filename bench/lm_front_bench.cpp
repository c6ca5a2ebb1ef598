// piotd in front of a local module (docs/local-module.md, issue 21), against a running piotd
// (--true-api "", --local-module pointing at the fake) and the fake LM (api 2, ready):
//   1. the LM's outCheck alone: straight to the fake, keep-alive (A);
//   2. the same code through piotd's POST /api/v1/piot/check, which asks the LM (B, source lm);
//      A and B alternate, one request each in turn, so both see the same instant of the host;
//      the per-pair difference B − A is what piotd adds in front of the LM;
//   3. piotd's own histograms, scraped from /metrics before and after the measured requests:
//      piotd_check_duration_seconds{source="lm"} (the whole check, the LM's answer included) and
//      piotd_check_overhead_seconds (piotd's time besides the upstream waits). Bucket bounds, so
//      "p99 <= 100" means that 99 % of the requests fell in buckets up to 100 µs;
//   4. scan-ahead (docs/local-module.md "Scan-ahead"), when LOCAL_PORT names a second piotd with
//      no local module (--true-api "", its own lists: source offline): ROUNDS rounds, each with a
//      code of its own. The code is first asked of piotd's LM API (GET /api/v1/cis/check, which
//      asks the LM and starts the check ahead), 2 ms later its sale check (POST
//      /api/v1/piot/check) is timed on a keep-alive connection of its own (S, "checkedAhead":
//      true expected), and the same request is timed against the second piotd (L). S and L
//      alternate which goes first (S L, L S, …), so neither always follows the 2 ms sleep; the
//      rounds where S was not checked ahead are counted and left out;
//   5. a hanging LM (fault hang on its check path): CHECKS checks one after another, each
//      answer's latency by the answer's lmFailureKind (timeout: the LM's budget spent;
//      circuit_open: the LM skipped at once).
//   piotd_lm_front_bench LM_PORT PIOTD_PORT [REQUESTS [CHECKS [FLOOR_PORT [LOCAL_PORT [ROUNDS]]]]]
// FLOOR_PORT: a proxy floor (bench/http_floor.cpp with the LM as its upstream) that forwards the
// same outCheck to the fake and relays the answer, measured third in each turn (A B C): C − A is
// what the two extra loopback hops cost any proxy here, B − C what piotd itself adds.
// REQUESTS 0 skips 1–3, CHECKS 0 skips 5, LOCAL_PORT 0 (the default) or ROUNDS 0 skips 4.
// Targets (issue 21): added latency p50 <= 50 µs, p99 <= 200 µs; a scanned-ahead code's sale
// check p50 within 1.2× of one answered from the local lists; with a hanging LM every answer
// within 2 s, and <= 1 ms once the circuit is open.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_http_client.hpp"

using piotd::bench::percentile;
using Client = piotd::bench::HttpClient;
using Clock = std::chrono::steady_clock;

namespace {

// A КИ of the fake's default lists that is not blocked (lm-api.md §2.2: no crypto tail).
const std::string kCode = "0104603586014674215012516137746";
const piotd::bench::Headers kBasic = {{"Authorization", "Basic YWRtaW46YWRtaW4="}};

double us_since(Clock::time_point start) {
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

void report(const char* what, const std::vector<double>& us) {
    std::printf("%-46s p50 %8.1f  p90 %8.1f  p99 %8.1f  max %8.1f µs  (n=%zu)\n", what,
                percentile(us, 0.50), percentile(us, 0.90), percentile(us, 0.99),
                percentile(us, 1.0), us.size());
}

const char* verdict(double value, double target) {
    return value <= target ? "met" : "MISSED";
}

// One histogram of /metrics, summed over the label sets that contain `labels` (every one when
// empty): cumulative counts by upper bound (seconds; +Inf as infinity), sum and count.
struct Histogram {
    std::map<double, double> buckets;
    double sum = 0;
    double count = 0;
};

Histogram read_histogram(Client& piotd, const std::string& name, const std::string& labels) {
    Histogram histogram;
    if (piotd.get("/metrics", kBasic) != 200) {
        std::fprintf(stderr, "GET /metrics failed: %s\n", piotd.last_body().c_str());
        std::exit(1);
    }
    const std::string& text = piotd.last_body();
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(at, end - at);
        at = end + 1;
        if (!line.starts_with(name + "_") || line.find(labels) == std::string::npos) continue;
        const std::string series =
            line.substr(name.size() + 1, line.find_first_of("{ ") - name.size() - 1);
        const double value = std::atof(line.substr(line.rfind(' ') + 1).c_str());
        if (series == "bucket") {
            const std::size_t le = line.find("le=\"");
            if (le == std::string::npos) continue;
            const std::string bound = line.substr(le + 4, line.find('"', le + 4) - le - 4);
            histogram.buckets[bound == "+Inf" ? std::numeric_limits<double>::infinity()
                                              : std::atof(bound.c_str())] += value;
        } else if (series == "sum") {
            histogram.sum += value;
        } else if (series == "count") {
            histogram.count += value;
        }
    }
    return histogram;
}

// The bucket bound (µs) below which a fraction p of the requests between two scrapes lie.
double bound_us(const Histogram& before, const Histogram& after, double p) {
    const double total = after.count - before.count;
    for (const auto& [le, count] : after.buckets) {
        const auto it = before.buckets.find(le);
        const double earlier = it == before.buckets.end() ? 0 : it->second;
        if (count - earlier >= p * total) return le * 1e6;
    }
    return std::numeric_limits<double>::infinity();
}

void report_histogram(const char* what, const Histogram& before, const Histogram& after) {
    const double n = after.count - before.count;
    std::printf("%-46s p50 <= %.0f  p90 <= %.0f  p99 <= %.0f µs  mean %.1f µs  (n=%.0f)\n", what,
                bound_us(before, after, 0.50), bound_us(before, after, 0.90),
                bound_us(before, after, 0.99), n > 0 ? (after.sum - before.sum) / n * 1e6 : 0.0, n);
}

// The string value of "key":"…" in a JSON answer, or "" (the answers here are flat enough).
std::string json_string(const std::string& body, const std::string& key) {
    const std::string needle = "\"" + key + "\":\"";
    const std::size_t at = body.find(needle);
    if (at == std::string::npos) return {};
    const std::size_t start = at + needle.size();
    return body.substr(start, body.find('"', start) - start);
}

// The fake LM's count of check requests so far (its /control/stats: "requests" comes first).
long lm_checks(Client& control) {
    if (control.get("/control/stats", {}) != 200) return -1;
    const std::string& body = control.last_body();
    const std::size_t at = body.find("\"check\":");
    return at == std::string::npos ? -1 : std::atol(body.c_str() + at + 8);
}

// A КИ of its own per round: 01 + the fake's GTIN + 21 + a 13-character serial ("5" and a
// 12-digit counter), as long as kCode and in no list of the fake or of the demo.
std::string round_code(int n) {
    char serial[16];
    std::snprintf(serial, sizeof serial, "%012d", n);
    return "0104603586014674215" + std::string(serial);
}

// Phase 4: a scanned-ahead code's sale check (S) against one answered from the local lists (L).
void run_ahead(Client& control, unsigned short piotd_port, unsigned short local_port, int rounds) {
    constexpr int kWarmup = 200;
    constexpr auto kAheadWait = std::chrono::milliseconds(2);
    Client scan(piotd_port);  // the LM-API check that starts the check ahead
    Client sale(piotd_port);  // the timed sale checks
    Client local(local_port);
    const std::string scan_target = "/api/v1/cis/check?cis=";
    const std::string piot_target = "/api/v1/piot/check";
    auto piot_body = [](const std::string& code) {
        return R"({"items":[{"code":")" + code + R"(","price":10000,"quantity":1}]})";
    };
    std::vector<double> ahead;
    std::vector<double> lists;
    std::vector<double> ahead_first;   // S timed first in its round
    std::vector<double> ahead_second;  // S timed after L
    std::vector<double> lists_first;
    std::vector<double> lists_second;
    std::vector<double> difference;
    ahead.reserve(static_cast<std::size_t>(rounds));
    lists.reserve(static_cast<std::size_t>(rounds));
    int not_ahead = 0;
    int not_lm = 0;
    int not_offline = 0;
    long checks_before = 0;
    for (int i = -kWarmup; i < rounds; ++i) {
        if (i == 0) checks_before = lm_checks(control);
        const std::string code = round_code(i + kWarmup + 1);
        if (scan.get(scan_target + code, kBasic) != 200) {
            std::fprintf(stderr, "GET /api/v1/cis/check failed: %s\n", scan.last_body().c_str());
            std::exit(1);
        }
        std::this_thread::sleep_for(kAheadWait);
        const std::string body = piot_body(code);
        double s = 0;
        double l = 0;
        auto time_sale = [&] {
            const auto start = Clock::now();
            sale.post(piot_target, body, kBasic);
            s = us_since(start);
        };
        auto time_local = [&] {
            const auto start = Clock::now();
            local.post(piot_target, body, kBasic);
            l = us_since(start);
        };
        const bool sale_first = (i & 1) == 0;
        if (sale_first) {
            time_sale();
            time_local();
        } else {
            time_local();
            time_sale();
        }
        if (i < 0) continue;
        if (local.last_body().find(R"("source":"offline")") == std::string::npos) ++not_offline;
        lists.push_back(l);
        (sale_first ? lists_first : lists_second).push_back(l);
        if (sale.last_body().find(R"("source":"lm")") == std::string::npos) ++not_lm;
        if (sale.last_body().find(R"("checkedAhead":true)") == std::string::npos) {
            ++not_ahead;
            continue;
        }
        ahead.push_back(s);
        (sale_first ? ahead_first : ahead_second).push_back(s);
        difference.push_back(s - l);
    }
    const long checks_after = lm_checks(control);
    std::printf(
        "== scan-ahead: %d rounds (LM-API check, %lld ms, then S and L, S L / L S in turn), one "
        "keep-alive connection each\n",
        rounds, static_cast<long long>(kAheadWait.count()));
    report("S: piot/check of a code checked ahead", ahead);
    report("L: piot/check from the local lists (offline)", lists);
    report("S - L per round", difference);
    report("S, timed first in its round", ahead_first);
    report("S, timed after L", ahead_second);
    report("L, timed after S", lists_first);
    report("L, timed first in its round", lists_second);
    std::printf("LM checks during the rounds: %ld (2 per round: %d)\n",
                checks_after - checks_before, 2 * rounds);
    if (not_ahead != 0) {
        std::printf("sale checks not checked ahead (left out): %d (of %d)\n", not_ahead, rounds);
    }
    if (not_lm != 0) std::printf("sale answers not from the LM: %d (of %d)\n", not_lm, rounds);
    if (not_offline != 0) {
        std::printf("local answers not offline: %d (of %d)\n", not_offline, rounds);
    }
    const double ratio = percentile(ahead, 0.50) / percentile(lists, 0.50);
    std::printf("target (scan-ahead): p50 S / p50 L %.2f (<= 1.2: %s), p99 S / p99 L %.2f\n", ratio,
                verdict(ratio, 1.2), percentile(ahead, 0.99) / percentile(lists, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr,
                     "usage: piotd_lm_front_bench LM_PORT PIOTD_PORT [REQUESTS [CHECKS "
                     "[FLOOR_PORT [LOCAL_PORT [ROUNDS]]]]]\n");
        return 2;
    }
    const auto lm_port = static_cast<unsigned short>(std::atoi(argv[1]));
    const auto piotd_port = static_cast<unsigned short>(std::atoi(argv[2]));
    const int requests = argc > 3 ? std::atoi(argv[3]) : 5000;
    const int checks = argc > 4 ? std::atoi(argv[4]) : 100;
    const auto floor_port = static_cast<unsigned short>(argc > 5 ? std::atoi(argv[5]) : 0);
    const auto local_port = static_cast<unsigned short>(argc > 6 ? std::atoi(argv[6]) : 0);
    const int rounds = argc > 7 ? std::atoi(argv[7]) : 2000;

    Client lm(lm_port);
    Client piotd(piotd_port);
    Client control(lm_port);  // the fake's control API and /metrics: off the measured connections
    Client scrape(piotd_port);
    const std::string direct_body = R"({"cis_list":[{"cis":")" + kCode + R"(","pg":8}]})";
    const std::string piot_body =
        R"({"items":[{"code":")" + kCode + R"(","price":10000,"quantity":1}]})";
    const std::string direct_target = "/api/v2/cis/outCheck";
    const std::string piot_target = "/api/v1/piot/check";

    if (requests > 0) {
        // Warm-up, and a check that the LM answers and that piotd answers from it.
        for (int i = 0; i < 500; ++i) {
            if (lm.post(direct_target, direct_body, kBasic) != 200) {
                std::fprintf(stderr, "the LM did not answer 200: %s\n", lm.last_body().c_str());
                return 1;
            }
            piotd.post(piot_target, piot_body, kBasic);
        }
        if (piotd.last_body().find(R"("source":"lm")") == std::string::npos) {
            std::fprintf(stderr, "piotd did not answer from the LM: %s\n",
                         piotd.last_body().c_str());
            return 1;
        }
        std::unique_ptr<Client> floor;
        if (floor_port != 0) {
            floor = std::make_unique<Client>(floor_port);
            for (int i = 0; i < 500; ++i) floor->post(direct_target, direct_body, kBasic);
            if (floor->last_body().find(R"("codes")") == std::string::npos) {
                std::fprintf(stderr, "the floor did not relay the LM: %s\n",
                             floor->last_body().c_str());
                return 1;
            }
        }

        const std::string duration_name = "piotd_check_duration_seconds";
        const std::string overhead_name = "piotd_check_overhead_seconds";
        const Histogram duration_before = read_histogram(scrape, duration_name, R"(source="lm")");
        const Histogram overhead_before = read_histogram(scrape, overhead_name, "");
        std::vector<double> direct;
        std::vector<double> via;
        std::vector<double> added;
        std::vector<double> proxied;
        std::vector<double> hops;
        std::vector<double> own;
        direct.reserve(static_cast<std::size_t>(requests));
        via.reserve(static_cast<std::size_t>(requests));
        added.reserve(static_cast<std::size_t>(requests));
        int not_lm = 0;
        for (int i = 0; i < requests; ++i) {
            auto start = Clock::now();
            lm.post(direct_target, direct_body, kBasic);
            const double a = us_since(start);
            start = Clock::now();
            piotd.post(piot_target, piot_body, kBasic);
            const double b = us_since(start);
            if (piotd.last_body().find(R"("source":"lm")") == std::string::npos) ++not_lm;
            direct.push_back(a);
            via.push_back(b);
            added.push_back(b - a);
            if (floor) {
                start = Clock::now();
                floor->post(direct_target, direct_body, kBasic);
                const double c = us_since(start);
                proxied.push_back(c);
                hops.push_back(c - a);
                own.push_back(b - c);
            }
        }
        const Histogram duration_after = read_histogram(scrape, duration_name, R"(source="lm")");
        const Histogram overhead_after = read_histogram(scrape, overhead_name, "");

        std::printf("== in front of the LM: %d turns, %s on one keep-alive connection each\n",
                    requests, floor ? "A B C A B C" : "A B A B");
        report("A: LM outCheck, straight to the fake", direct);
        report("B: piotd POST /api/v1/piot/check (source lm)", via);
        if (floor) report("C: proxy floor (Beast forwarder to the LM)", proxied);
        report("B - A per pair (what piotd adds)", added);
        if (floor) {
            report("C - A per turn (any proxy's two hops here)", hops);
            report("B - C per turn (piotd's own share)", own);
        }
        std::printf("%-46s p50 %8.1f  p90 %8.1f  p99 %8.1f µs\n", "difference of the percentiles",
                    percentile(via, 0.50) - percentile(direct, 0.50),
                    percentile(via, 0.90) - percentile(direct, 0.90),
                    percentile(via, 0.99) - percentile(direct, 0.99));
        report_histogram("piotd's check duration {source=\"lm\"}", duration_before, duration_after);
        report_histogram("piotd's own time besides the LM (overhead)", overhead_before,
                         overhead_after);
        if (not_lm != 0) std::printf("answers not from the LM: %d (of %d)\n", not_lm, requests);
        const double p50 = percentile(added, 0.50);
        const double p99 = percentile(added, 0.99);
        std::printf(
            "targets (added, per pair): p50 %.1f µs (<= 50: %s), p99 %.1f µs (<= 200: %s)\n", p50,
            verdict(p50, 50), p99, verdict(p99, 200));
    }

    if (local_port != 0 && rounds > 0) run_ahead(control, piotd_port, local_port, rounds);

    if (checks > 0) {
        // A hanging LM: its check path never answers; status polls still do.
        if (control.post("/control/fault", R"({"mode":"hang","paths":"check"})", {}) != 200) {
            std::fprintf(stderr, "could not set the fault: %s\n", control.last_body().c_str());
            return 1;
        }
        std::map<std::string, std::vector<double>> by_kind;
        std::vector<double> all;
        int not_ok = 0;
        for (int i = 0; i < checks; ++i) {
            const auto start = Clock::now();
            const int status = piotd.post(piot_target, piot_body, kBasic);
            const double us = us_since(start);
            all.push_back(us);
            std::string kind = json_string(piotd.last_body(), "lmFailureKind");
            if (kind.empty())
                kind = "(none: source " + json_string(piotd.last_body(), "source") + ")";
            by_kind[kind].push_back(us);
            if (status != 200) ++not_ok;
        }
        control.post("/control/fault", R"({"mode":"none"})", {});
        std::printf("== hanging LM (fault hang on check): %d checks one after another\n", checks);
        report("every answer", all);
        for (const auto& [kind, us] : by_kind) {
            report(("lmFailureKind " + kind).c_str(), us);
        }
        if (not_ok != 0) std::printf("answers other than 200: %d\n", not_ok);
        const double worst_ms = percentile(all, 1.0) / 1000;
        const auto open = by_kind.find("circuit_open");
        const double open_max_ms = open == by_kind.end() ? std::numeric_limits<double>::infinity()
                                                         : percentile(open->second, 1.0) / 1000;
        std::printf(
            "targets (hanging LM): max %.1f ms (<= 2000: %s), circuit open: max %.3f ms "
            "(<= 1 ms: %s, n=%zu)\n",
            worst_ms, verdict(worst_ms, 2000), open_max_ms, verdict(open_max_ms, 1),
            open == by_kind.end() ? std::size_t{0} : open->second.size());
    }
    return 0;
}
