#include "protocol/codes/gtin.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

namespace piotd::protocol {

namespace {

// Bytes 0..7 of `word` as digits: true if each is '0'..'9'. After the XOR a digit byte is 0..9;
// any other byte has its top bit set either already or once 0x76 is added (a carry out of an
// invalid byte can only flag its neighbour too, never hide a flag).
bool all_digits(std::uint64_t word) {
    const std::uint64_t t = word ^ 0x3030303030303030ULL;
    return ((t | (t + 0x7676767676767676ULL)) & 0x8080808080808080ULL) == 0;
}

// Σ weight[k] × byte[k] of the digit values in `values` (each 0..9), by one multiplication: the
// top byte of values × M collects byte k times byte (7 − k) of M. Every partial sum stays below
// 256 (at most 8 × 3 × 9), so no byte carries into the next.
unsigned weighted_sum(std::uint64_t values, std::uint64_t reversed_weights) {
    return static_cast<unsigned>((values * reversed_weights) >> 56);
}

// A GTIN-14 (every marking code's) in two overlapping 8-byte words: digits 0..7 and 6..13.
// Weights from the left: 3 on even positions, 1 on odd, 0 on the check digit (13) and on 6..7
// in the second word (the first word counts them). About 25 instructions; the digit loop below
// took 180 per check.
bool gtin14_check_digit_valid(const char* digits) {
    std::uint64_t head = 0;
    std::uint64_t tail = 0;
    std::memcpy(&head, digits, 8);
    std::memcpy(&tail, digits + 6, 8);
    if (!all_digits(head) || !all_digits(tail)) return false;
    head -= 0x3030303030303030ULL;
    tail -= 0x3030303030303030ULL;
    // Byte j of each constant is the weight of word byte 7 − j.
    const unsigned sum = weighted_sum(head, 0x0301030103010301ULL) +  // d0..d7: 3,1,3,1,...
                         weighted_sum(tail, 0x0000030103010300ULL);   // d8..d12: 3,1,3,1,3
    const unsigned check = static_cast<unsigned>(tail >> 56);
    return (10 - sum % 10) % 10 == check;
}

}  // namespace

bool gtin_check_digit_valid(std::string_view digits) {
    const std::size_t n = digits.size();
    if (n != 8 && n != 12 && n != 13 && n != 14) return false;
    if constexpr (std::endian::native == std::endian::little) {
        if (n == 14) return gtin14_check_digit_valid(digits.data());
    }
    // Weights alternate 3,1,3,... starting from the digit next to the check digit.
    unsigned sum = 0;
    unsigned weight = 3;
    for (std::size_t i = n - 1; i-- > 0;) {
        const unsigned d = static_cast<unsigned char>(digits[i]) - unsigned{'0'};
        if (d > 9) return false;
        sum += weight * d;
        weight ^= 2;  // 3 <-> 1
    }
    const unsigned check = static_cast<unsigned char>(digits[n - 1]) - unsigned{'0'};
    return check <= 9 && (10 - sum % 10) % 10 == check;
}

}  // namespace piotd::protocol
