// In-process check (parse + black-list lookups + verdict, as piotd_check_bench times it) against
// lists loaded by `piotd import`, several data dirs measured in turns, so that a burst of the
// shared machine's load falls on all of them (bench/import.sh: 1.1 M against 10 M blocked CIS).
//   piotd_list_check_bench [--rounds N] DATA_DIR LIST_FILE [DATA_DIR LIST_FILE ...]
// Misses are КИ of bench/code_generator.hpp's seed 2 (on no list); hits are 200,000 lines of
// LIST_FILE spread over it. Each round, per data dir: one pass untimed, then one timed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bench/code_generator.hpp"
#include "bench/percentile.hpp"
#include "protocol/codes/marking_code.hpp"
#include "storage/black_lists.hpp"
#include "storage/environment.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kSamples = 200'000;

struct Subject {
    std::string dir;
    std::unique_ptr<piotd::storage::Environment> env;
    std::unique_ptr<piotd::storage::BlackLists> lists;
    std::vector<std::string> hits;
    std::vector<double> miss_p50, hit_p50, miss_p99, hit_p99;
};

bool check(const piotd::storage::BlackLists& lists, const std::string& scanned) {
    const auto parsed = piotd::protocol::parse_marking_code(scanned);
    if (!parsed) return false;
    return lists.lookup(parsed.code).blocked();
}

std::vector<double> time_checks(const piotd::storage::BlackLists& lists,
                                const std::vector<std::string>& codes, bool expect_blocked) {
    std::vector<double> ns;
    ns.reserve(codes.size());
    std::size_t wrong = 0;
    const std::string* first_wrong = nullptr;
    for (const std::string& code : codes) {
        const auto start = Clock::now();
        const bool blocked = check(lists, code);
        const auto end = Clock::now();
        if (blocked != expect_blocked && wrong++ == 0) first_wrong = &code;
        ns.push_back(std::chrono::duration<double, std::nano>(end - start).count());
    }
    if (wrong > 0) {
        std::fprintf(stderr, "warning: %zu unexpected verdicts (%s: %s)\n", wrong,
                     expect_blocked ? "not blocked" : "blocked", first_wrong->c_str());
    }
    return ns;
}

// Every n-th line of the list, n chosen to give about kSamples, with a crypto tail.
std::vector<std::string> sample_hits(const std::string& path) {
    std::size_t lines = 0;
    {
        std::ifstream in(path);
        std::string line;
        while (std::getline(in, line)) ++lines;
    }
    const std::size_t step = std::max<std::size_t>(1, lines / kSamples);
    std::vector<std::string> hits;
    std::ifstream in(path);
    std::string line;
    for (std::size_t i = 0; std::getline(in, line); ++i) {
        if (i % step == 0) hits.push_back(piotd::bench::CodeGenerator::with_tail(line));
    }
    std::shuffle(hits.begin(), hits.end(), std::mt19937_64(4));
    return hits;
}

double median(std::vector<double> v) {
    return piotd::bench::percentile(std::move(v), 0.5);
}

}  // namespace

int main(int argc, char** argv) {
    int arg = 1;
    int rounds = 5;
    if (argc > 2 && std::string_view(argv[1]) == "--rounds") {
        rounds = std::atoi(argv[2]);
        arg = 3;
    }
    if (argc - arg < 2 || (argc - arg) % 2 != 0) {
        std::fprintf(stderr,
                     "usage: piotd_list_check_bench [--rounds N] DATA_DIR LIST_FILE "
                     "[DATA_DIR LIST_FILE ...]\n");
        return 2;
    }
    std::vector<Subject> subjects;
    for (; arg + 1 < argc; arg += 2) {
        Subject s;
        s.dir = argv[arg];
        piotd::storage::EnvironmentOptions options;
        options.dir = s.dir;
        options.read_only = true;
        s.env = std::make_unique<piotd::storage::Environment>(options);
        s.lists = std::make_unique<piotd::storage::BlackLists>(*s.env);
        s.hits = sample_hits(argv[arg + 1]);
        subjects.push_back(std::move(s));
    }
    piotd::bench::CodeGenerator unlisted(2);
    std::vector<std::string> misses;
    for (std::size_t i = 0; i < kSamples; ++i) {
        misses.push_back(piotd::bench::CodeGenerator::with_tail(unlisted.ki()));
    }

    for (int round = 1; round <= rounds; ++round) {
        std::printf("round %d:", round);
        for (Subject& s : subjects) {
            time_checks(*s.lists, misses, false);
            const auto miss = time_checks(*s.lists, misses, false);
            time_checks(*s.lists, s.hits, true);
            const auto hit = time_checks(*s.lists, s.hits, true);
            s.miss_p50.push_back(piotd::bench::percentile(miss, 0.5));
            s.miss_p99.push_back(piotd::bench::percentile(miss, 0.99));
            s.hit_p50.push_back(piotd::bench::percentile(hit, 0.5));
            s.hit_p99.push_back(piotd::bench::percentile(hit, 0.99));
            std::printf("  %zu CIS miss p50 %.0f hit p50 %.0f ns;",
                        s.lists->count(piotd::storage::ListName::blocked_cis), s.miss_p50.back(),
                        s.hit_p50.back());
        }
        std::printf("\n");
    }
    std::printf("median of %d rounds (ns):\n", rounds);
    for (const Subject& s : subjects) {
        std::printf(
            "  %10zu blocked CIS: miss p50 %4.0f p99 %5.0f, hit p50 %5.0f p99 %5.0f  (%s)\n",
            s.lists->count(piotd::storage::ListName::blocked_cis), median(s.miss_p50),
            median(s.miss_p99), median(s.hit_p50), median(s.hit_p99), s.dir.c_str());
    }
    if (subjects.size() >= 2) {
        const Subject& base = subjects.front();
        for (std::size_t i = 1; i < subjects.size(); ++i) {
            std::printf("  ratio to the first: miss p50 %.2fx, hit p50 %.2fx (%s)\n",
                        median(subjects[i].miss_p50) / median(base.miss_p50),
                        median(subjects[i].hit_p50) / median(base.hit_p50),
                        subjects[i].dir.c_str());
        }
    }
    return 0;
}
