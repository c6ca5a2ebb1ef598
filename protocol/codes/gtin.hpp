// GTIN check digit (GS1 General Specifications §7.9: weights 3,1,3,... from the right).
#pragma once

#include <string_view>

namespace piotd::protocol {

// True when `digits` is all ASCII digits (8, 12, 13 or 14 of them) and its last digit is the
// GS1 check digit of the others.
bool gtin_check_digit_valid(std::string_view digits);

}  // namespace piotd::protocol
