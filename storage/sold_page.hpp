// Paging through the local sold set (Db::sold) for GET /api/v2/cis/sold (lm-api.md §4).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "storage/environment.hpp"
#include "storage/sold_record.hpp"

namespace piotd::storage {

struct SoldEntry {
    std::string ki;
    SoldRecord record;
};

struct SoldPage {
    std::size_t total = 0;
    std::vector<SoldEntry> entries;  // in КИ byte order
};

// Entries skip .. skip+limit-1 of one consistent snapshot.
SoldPage read_sold_page(const Environment& env, std::size_t skip, std::size_t limit);

}  // namespace piotd::storage
