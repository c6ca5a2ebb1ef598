// The percentile helper every benchmark program reports with.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace piotd::bench {

// The value below which a fraction p of the samples lie (nearest rank; p = 1 is the maximum).
inline double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
    return values[index];
}

}  // namespace piotd::bench
