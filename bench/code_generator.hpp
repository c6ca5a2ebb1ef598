// Deterministic real-shaped codes for benchmarks: the same seed gives the same codes.
#pragma once

#include <random>
#include <string>
#include <string_view>

namespace piotd::bench {

// Serial characters as real codes use them (GS1 CSET 82).
inline constexpr std::string_view kSerialAlphabet =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

class CodeGenerator {
public:
    explicit CodeGenerator(unsigned long seed) : rng_(seed) {}

    // GTIN-14 with a valid check digit.
    std::string gtin14() {
        std::string digits = "0460";
        for (int i = 0; i < 9; ++i) digits += static_cast<char>('0' + rng_() % 10);
        int sum = 0;
        for (int i = 0; i < 13; ++i) {
            const int d = digits[static_cast<std::size_t>(12 - i)] - '0';
            sum += (i % 2 == 0) ? d * 3 : d;
        }
        digits += static_cast<char>('0' + (10 - sum % 10) % 10);
        return digits;
    }

    // КИ with a 13-character serial (water, clothes, shoes...).
    std::string ki() {
        std::string code = "01" + gtin14() + "21";
        for (int j = 0; j < 13; ++j) code += kSerialAlphabet[rng_() % kSerialAlphabet.size()];
        return code;
    }

    // КИ plus a short crypto tail, as a scanner delivers it: ␝93xxxx.
    static std::string with_tail(const std::string& ki) {
        return ki +
               "\x1d"
               "93dGVz";
    }

private:
    std::mt19937_64 rng_;
};

}  // namespace piotd::bench
