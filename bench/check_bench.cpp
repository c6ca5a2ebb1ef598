// In-process check: parse + black-list lookups + verdict, with 1,113,887 blocked CIS and 10,000
// blocked GTIN loaded (the CRPT sandbox's list size). Prints p50/p99 for misses and hits, and
// the snapshot ingest time. Usage: piotd_check_bench [DATA_DIR] (default: a fresh temp dir).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>
#include <random>

#include "bench/code_generator.hpp"
#include "protocol/codes/marking_code.hpp"
#include "storage/black_lists.hpp"
#include "storage/environment.hpp"
#include "storage/list_item.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kBlockedCis = 1'113'887;
constexpr std::size_t kBlockedGtin = 10'000;
constexpr std::size_t kSamples = 200'000;

struct Figures {
    double p50_ns, p99_ns, mean_ns;
};

Figures summarise(std::vector<double>& ns) {
    std::sort(ns.begin(), ns.end());
    double sum = 0;
    for (double v : ns) sum += v;
    return {ns[ns.size() / 2], ns[ns.size() * 99 / 100], sum / static_cast<double>(ns.size())};
}

// One check as the LM handler does it: parse the scanned code, look it up, decide.
bool check(const piotd::storage::BlackLists& lists, const std::string& scanned) {
    const auto parsed = piotd::protocol::parse_marking_code(scanned);
    if (!parsed) return false;
    return lists.lookup(parsed.code).blocked();
}

Figures time_checks(const piotd::storage::BlackLists& lists, const std::vector<std::string>& codes,
                    bool expect_blocked) {
    std::vector<double> ns;
    ns.reserve(codes.size());
    std::size_t wrong = 0;
    for (const std::string& code : codes) {
        const auto start = Clock::now();
        const bool blocked = check(lists, code);
        const auto end = Clock::now();
        wrong += blocked != expect_blocked;
        ns.push_back(std::chrono::duration<double, std::nano>(end - start).count());
    }
    if (wrong > 0) std::fprintf(stderr, "warning: %zu unexpected verdicts\n", wrong);
    return summarise(ns);
}

}  // namespace

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    const bool temp = argc < 2;
    const fs::path dir =
        temp ? fs::temp_directory_path() / ("piotd-bench-" + std::to_string(getpid()))
             : fs::path(argv[1]);
    piotd::storage::EnvironmentOptions options;
    options.dir = dir;
    piotd::storage::Environment env(options);
    piotd::storage::BlackLists lists(env);

    // Seed 1 generates the listed codes; seed 2 codes that are on no list.
    piotd::bench::CodeGenerator listed(1);
    std::vector<std::string> hits;
    const auto ingest_start = Clock::now();
    {
        auto writer = lists.begin_snapshot(piotd::storage::ListName::blocked_cis, kBlockedCis);
        for (std::size_t i = 0; i < kBlockedCis; ++i) {
            std::string ki = listed.ki();
            if (i % (kBlockedCis / kSamples + 1) == 0)
                hits.push_back(piotd::bench::CodeGenerator::with_tail(ki));
            writer.add({std::move(ki), {}});
        }
        writer.finish();
    }
    const double ingest_s = std::chrono::duration<double>(Clock::now() - ingest_start).count();
    {
        piotd::bench::CodeGenerator gtins(3);
        auto writer = lists.begin_snapshot(piotd::storage::ListName::blocked_gtin, kBlockedGtin);
        for (std::size_t i = 0; i < kBlockedGtin; ++i) writer.add({gtins.gtin14(), {}});
        writer.finish();
    }

    piotd::bench::CodeGenerator unlisted(2);
    std::vector<std::string> misses;
    for (std::size_t i = 0; i < kSamples; ++i) {
        misses.push_back(piotd::bench::CodeGenerator::with_tail(unlisted.ki()));
    }
    std::shuffle(hits.begin(), hits.end(), std::mt19937_64(4));

    // Warm up caches and the page cache of the map, then measure.
    time_checks(lists, misses, false);
    time_checks(lists, hits, true);
    const Figures miss = time_checks(lists, misses, false);
    const Figures hit = time_checks(lists, hits, true);

    std::printf("blocked_cis loaded:        %zu (blocked_gtin %zu)\n",
                lists.count(piotd::storage::ListName::blocked_cis),
                lists.count(piotd::storage::ListName::blocked_gtin));
    std::printf("snapshot ingest:           %.2f s (%.0f items/s)\n", ingest_s,
                static_cast<double>(kBlockedCis) / ingest_s);
    std::printf(
        "in-process check, miss:    p50 %.0f ns  p99 %.0f ns  mean %.0f ns  (%zu samples)\n",
        miss.p50_ns, miss.p99_ns, miss.mean_ns, misses.size());
    std::printf(
        "in-process check, hit:     p50 %.0f ns  p99 %.0f ns  mean %.0f ns  (%zu samples)\n",
        hit.p50_ns, hit.p99_ns, hit.mean_ns, hits.size());
    std::printf("data.mdb size:             %.1f MB\n", static_cast<double>(env.file_size()) / 1e6);
    if (temp) fs::remove_all(dir);
    return 0;
}
