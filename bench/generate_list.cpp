// Writes N real-shaped black-list items to stdout, deterministically from a seed, for
// benchmarks and load tests:
//   piotd_generate_list blocked_cis N [SEED]   КИ: 01 + GTIN14 (valid check digit) + 21 + 13-char
//   serial piotd_generate_list blocked_gtin N [SEED]  GTIN14
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bench/code_generator.hpp"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: piotd_generate_list blocked_cis|blocked_gtin N [SEED]\n");
        return 2;
    }
    const std::string_view list = argv[1];
    const unsigned long count = std::strtoul(argv[2], nullptr, 10);
    piotd::bench::CodeGenerator generator(argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 1);
    if (list != "blocked_cis" && list != "blocked_gtin") {
        std::fprintf(stderr, "piotd_generate_list: unknown list %s\n", argv[1]);
        return 2;
    }
    for (unsigned long i = 0; i < count; ++i) {
        std::string line = list == "blocked_cis" ? generator.ki() : generator.gtin14();
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), stdout);
    }
    return 0;
}
