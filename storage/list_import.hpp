// Bulk load of a black list from text, one item per line (format in list_item.hpp); blank lines
// and lines starting with '#' are skipped. Used by `piotd import`.
#pragma once

#include <cstddef>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "storage/black_lists.hpp"
#include "storage/list_name.hpp"

namespace piotd::storage {

enum class ImportMode {
    replace,  // a full snapshot: loaded beside the old list, switched atomically at the end
    append,   // added to the active list in batched transactions
};

struct ImportStats {
    std::size_t lines = 0;
    std::size_t loaded = 0;
    std::size_t rejected = 0;
    std::vector<std::string> first_errors;  // "line N: why", the first 10
};

// Called every `progress_every` accepted items with the count so far.
using ImportProgress = std::function<void(std::size_t loaded)>;

ImportStats import_list(BlackLists& lists, ListName list, std::istream& in, ImportMode mode,
                        const ImportProgress& progress = {}, std::size_t progress_every = 100'000);

}  // namespace piotd::storage
