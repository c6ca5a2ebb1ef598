// Bulk load of a black list from text, one item per line (format in list_item.hpp); blank lines
// and lines starting with '#' are skipped. Used by `piotd import`.
//
// A replace is loaded in key order, whatever the order of the file, so every item is an
// MDB_APPEND onto full pages (storage/snapshot_writer.hpp) and the load costs O(n):
//   1. lines are parsed into a sorted run (storage/run_buffer.hpp) of at most
//      ImportOptions::memory_budget bytes; a full run is sorted and written to an unnamed file
//      in the temp dir (storage/run_file.hpp);
//   2. a list that fit in one run is written from memory; otherwise the runs are merged
//      (storage/run_merger.hpp), each read through its share of the same budget.
// A key that appears more than once is loaded once, with the last line's value.
//
// Memory: the budget (64 MiB), then, while writing, the new list's filter (~1.6 bytes per item,
// blocked_cis), one write batch and the flip's copy of the filter; a data dir that already holds
// a list adds its filter, read at open. 10 M КИ: 112 MB peak RSS into a fresh data dir, 142 MB
// over a loaded list (bench/README.md). Past 1,024 runs (~1.7 G КИ at 64 MiB) the merge's read
// buffers (64 KiB each at least) outgrow the budget. Disk: the run files take ~35 bytes per
// КИ beside the growing data.mdb until the merge ends; they have no name and are gone when the
// import ends, however it ends.
#pragma once

#include <cstddef>
#include <filesystem>
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
    std::size_t loaded = 0;      // items accepted (duplicates included)
    std::size_t duplicates = 0;  // accepted items a later line of the same key replaced
    std::size_t rejected = 0;
    std::size_t runs = 0;  // sorted runs written to disk (0: the list fit in the budget)
    std::vector<std::string> first_errors;  // "line N: why", the first 10
};

// Called every `progress_every` accepted items with the count so far.
using ImportProgress = std::function<void(std::size_t loaded)>;

// 64 MiB: 1.7 M КИ per run (39 bytes each), so a 10 M list is six runs and one merge.
inline constexpr std::size_t kImportMemoryBudget = std::size_t{64} << 20;

struct ImportOptions {
    ImportProgress progress;
    std::size_t progress_every = 100'000;
    std::size_t memory_budget = kImportMemoryBudget;  // bytes of sorted run (replace)
    std::filesystem::path temp_dir;                   // for the run files; empty: the data dir
    std::size_t batch_size = kSnapshotBatchSize;      // items per write transaction
};

ImportStats import_list(BlackLists& lists, ListName list, std::istream& in, ImportMode mode,
                        const ImportOptions& options);
ImportStats import_list(BlackLists& lists, ListName list, std::istream& in, ImportMode mode,
                        const ImportProgress& progress = {}, std::size_t progress_every = 100'000);

}  // namespace piotd::storage
