#include "protocol/gtin.hpp"

namespace piotd::protocol {

bool gtin_check_digit_valid(std::string_view digits) {
    const std::size_t n = digits.size();
    if (n != 8 && n != 12 && n != 13 && n != 14) return false;
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
