// Deterministic, real-shaped content for the fake upstream's lists: the same seed and sizes give
// the same items. Items come out sorted in key order and in canonical form (checked item by item).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "tests/fakes/fake_list.hpp"

namespace piotd::fakes {

// blocked_cis: КИ (01 GTIN 21 serial13), about a thousand per GTIN like a real list;
// blocked_gtin: GTIN-14; blocked_series: "GTIN14 prefix"; min_price: "GTIN14 kopecks".
std::shared_ptr<const PackedItems> generate_list(FakeList list, std::size_t count,
                                                 std::uint64_t seed);

}  // namespace piotd::fakes
