// The sale decision engine per item (protocol/decision/sale_decision.hpp): decide_online on a mix of True
// API answers shaped like the CRPT scenarios (allowed, refused, tobacco packs and blocks with
// price rules, ncp), and decide_offline on local-module results. Target: ≤ 0.5 µs per item.
// For scale it also times parsing one code's answer and encoding tag 1260.
// Timing single calls of ~100 ns is mostly clock noise, so each sample is a batch of kBatch
// items and the figures are per item. Usage: piotd_decision_bench
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "protocol/decision/sale_decision.hpp"
#include "protocol/decision/tag1260.hpp"
#include "protocol/trueapi/true_api_check.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace piotd::protocol;
constexpr std::size_t kBatch = 64;
constexpr std::size_t kSamples = 20'000;
constexpr std::int64_t kNow = 1795435200000;

struct Figures {
    double p50_ns, p99_ns, mean_ns;
};

Figures summarise(std::vector<double>& ns) {
    std::sort(ns.begin(), ns.end());
    double sum = 0;
    for (double v : ns) sum += v;
    return {ns[ns.size() / 2], ns[ns.size() * 99 / 100], sum / static_cast<double>(ns.size())};
}

void print(const char* what, const Figures& f) {
    std::printf("%-44s p50 %8.1f ns  p99 %8.1f ns  mean %8.1f ns per item\n", what, f.p50_ns,
                f.p99_ns, f.mean_ns);
}

// Runs `one(i)` for items i = 0.. in batches; returns per-item times. `sink` defeats the optimiser.
template <typename One>
Figures time_items(std::size_t items, One one) {
    std::vector<double> ns;
    ns.reserve(kSamples);
    volatile std::size_t sink = 0;
    std::size_t next = 0;
    for (std::size_t s = 0; s < kSamples; ++s) {
        std::size_t acc = 0;
        const auto start = Clock::now();
        for (std::size_t b = 0; b < kBatch; ++b) {
            acc += one(next);
            next = next + 1 == items ? 0 : next + 1;
        }
        const auto end = Clock::now();
        sink = sink + acc;
        ns.push_back(std::chrono::duration<double, std::nano>(end - start).count() / kBatch);
    }
    return summarise(ns);
}

TrueApiCodeResult sellable(std::vector<int> groups) {
    TrueApiCodeResult r;
    r.valid = r.found = r.utilised = r.verified = r.realizable = true;
    r.is_blocked = r.sold = false;
    r.error_code = 0;
    r.group_ids = std::move(groups);
    return r;
}

struct Item {
    std::string scanned;
    ParseResult code;
    TrueApiCodeResult online;
    LmCodeResult offline;
    std::int64_t price = 0;
};

std::vector<Item> make_items() {
    std::vector<Item> items;
    auto add = [&](std::string scanned, TrueApiCodeResult online, std::int64_t price) {
        Item item;
        item.scanned = std::move(scanned);
        item.code = parse_marking_code(item.scanned);
        if (!item.code) std::fprintf(stderr, "bad bench code: %s\n", item.scanned.c_str());
        item.online = std::move(online);
        item.offline.is_blocked = item.online.is_blocked.value_or(false);
        item.offline.sold = item.online.sold.value_or(false);
        item.offline.smp = static_cast<std::uint32_t>(item.online.smp.value_or(0));
        item.price = price;
        items.push_back(std::move(item));
    };
    const std::string milk =
        "0104670540176099215'W9Um\x1d"
        "93dGVz";
    add(milk, sellable({8}), 8990);
    auto r = sellable({8});
    r.utilised = false;
    r.realizable = false;
    add(milk, r, 8990);
    r = sellable({8});
    r.expire_date_ms = kNow - 1;
    add(milk, r, 8990);
    r = sellable({8});
    r.is_blocked = true;
    r.ogvs = {"RPN"};
    add(milk, r, 8990);
    r = sellable({8});
    r.sold = true;
    add(milk, r, 8990);
    r = sellable({3});
    r.package_type = "UNIT";
    r.smp = 13500;
    add("04601653035829H;dV)bFACVUdGVz", r, 14500);
    add("04601653035829H;dV)bFADI8dGVz", r, 19900);
    r = sellable({3});
    r.package_type = "GROUP";
    r.package_quantity = 10;
    r.smp = 13500;
    add("010461013628057121%008iVk\x1d"
        "8005180000\x1d"
        "93dGVz",
        r, 180000);
    r.realizable = false;
    r.gray_zone = true;
    add("010462930887704421DzkcWqS\x1d"
        "8005177000\x1d"
        "93dGVz",
        r, 177000);
    r = sellable({16});
    r.mrp = 20000;
    add("00840147505712Zz;ZnRbAAAAdGVz", r, 15000);
    return items;
}

}  // namespace

int main() {
    const std::vector<Item> items = make_items();
    auto context = [&](const Item& item) {
        SaleContext c;
        c.code = &item.code.code;
        c.price_kopecks = item.price;
        c.now_ms = kNow;
        return c;
    };
    std::printf("== decision engine, %zu item shapes, batches of %zu, %zu samples\n", items.size(),
                kBatch, kSamples);
    print("decide_online", time_items(items.size(), [&](std::size_t i) {
              const SaleDecision d = decide_online(items[i].online, context(items[i]));
              return d.reasons().size() + (d.allowed ? 1u : 0u);
          }));
    print("decide_offline", time_items(items.size(), [&](std::size_t i) {
              const SaleDecision d = decide_offline(items[i].offline, context(items[i]));
              return d.reasons().size() + (d.allowed ? 1u : 0u);
          }));

    // For scale: what surrounds the decision for one code.
    const std::string body =
        R"({"code":0,"description":"ok","reqId":"f7b51a1b-75f0-4c3b-8843-52daa4765dea","reqTimestamp":1773524146442,)"
        R"("codes":[{"cis":"00840147505712Zz;ZnRbAAAAdGVz","found":true,"valid":true,"printView":"00840147505712Zz;ZnRb",)"
        R"("gtin":"00840147505712","groupIds":[16],"verified":true,"realizable":true,"utilised":true,)"
        R"("productionDate":"2025-09-18T00:00:00.000Z","isOwner":true,"isBlocked":false,"errorCode":0,)"
        R"("isTracking":false,"sold":false,"mrp":20000,"grayZone":false,"packageType":"UNIT","producerInn":"7731376812"}]})";
    print("parse_true_api_check_answer (1 code, §9 E6)", time_items(1, [&](std::size_t) {
              return parse_true_api_check_answer(body).answer.codes.size();
          }));
    print("industry_prop_value_online + encode_tag1260", time_items(1, [&](std::size_t) {
              const std::string value =
                  industry_prop_value_online("f7b51a1b-75f0-4c3b-8843-52daa4765dea", 1773524146442);
              return encode_tag1260(value)->size();
          }));
    return 0;
}
