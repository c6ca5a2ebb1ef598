#include "storage/list_import.hpp"

#include <algorithm>
#include <memory>
#include <string_view>

#include "storage/list_item.hpp"
#include "storage/run_buffer.hpp"
#include "storage/run_file.hpp"
#include "storage/run_merger.hpp"
#include "storage/transaction.hpp"

namespace piotd::storage {

namespace {

constexpr std::size_t kMaxErrorsKept = 10;
// Each run's share of the budget while merging, within these bounds: reads of a few hundred
// KiB keep the disk sequential; past a few MiB nothing is gained.
constexpr std::size_t kMinRunReadBytes = std::size_t{64} << 10;
constexpr std::size_t kMaxRunReadBytes = std::size_t{4} << 20;

bool skipped(std::string_view line) {
    const std::size_t first = line.find_first_not_of(" \t\r\n");
    return first == std::string_view::npos || line[first] == '#';
}

// Parses every line of `in`, counting it in `stats`, and hands each accepted item to `accept`.
template <class Accept>
void read_items(ListName list, std::istream& in, const ImportOptions& options, ImportStats& stats,
                Accept&& accept) {
    std::string line;
    while (std::getline(in, line)) {
        ++stats.lines;
        if (skipped(line)) continue;
        ListItemParse parsed = parse_list_item(list, line);
        if (!parsed.ok) {
            ++stats.rejected;
            if (stats.first_errors.size() < kMaxErrorsKept) {
                stats.first_errors.push_back("line " + std::to_string(stats.lines) + ": " +
                                             parsed.error);
            }
            continue;
        }
        accept(parsed.item);
        ++stats.loaded;
        if (options.progress && options.progress_every > 0 &&
            stats.loaded % options.progress_every == 0) {
            options.progress(stats.loaded);
        }
    }
}

// Sorts the buffer and writes it to a new run file.
void spill(RunBuffer& buffer, const std::filesystem::path& dir, std::vector<RunFile>& runs,
           ImportStats& stats) {
    stats.duplicates += buffer.sort_unique();
    RunFile& file = runs.emplace_back(dir);
    std::string scratch;
    for (std::size_t i = 0; i < buffer.size(); ++i) {
        file.write(buffer.key(i, scratch), buffer.value(i));
    }
    file.finish_writing();
    buffer.clear();
}

ImportStats import_replace(BlackLists& lists, ListName list, std::istream& in,
                           const ImportOptions& options) {
    ImportStats stats;
    const std::filesystem::path dir =
        options.temp_dir.empty() ? lists.env().dir() : options.temp_dir;
    RunBuffer buffer(options.memory_budget);
    std::vector<RunFile> runs;  // their files vanish with them, on every way out
    read_items(list, in, options, stats, [&](const ListItem& item) {
        if (buffer.add(item.key, item.value)) return;
        spill(buffer, dir, runs, stats);
        buffer.add(item.key, item.value);
    });
    // A read error is not the end of the list: nothing was written, the old list stays. The
    // caller reports it from in.bad().
    if (in.bad()) return stats;

    SnapshotOptions snapshot;
    snapshot.batch_size = options.batch_size;
    if (runs.empty()) {
        stats.duplicates += buffer.sort_unique();
        snapshot.expected_items = buffer.size();
        SnapshotWriter writer = lists.begin_snapshot(list, snapshot);
        std::string scratch;
        for (std::size_t i = 0; i < buffer.size(); ++i) {
            writer.add(buffer.key(i, scratch), buffer.value(i));
        }
        buffer.release();
        writer.finish();
        return stats;
    }

    if (!buffer.empty()) spill(buffer, dir, runs, stats);
    buffer.release();
    stats.runs = runs.size();
    for (const RunFile& run : runs) snapshot.expected_items += run.records();
    const std::size_t share =
        std::clamp(options.memory_budget / runs.size(), kMinRunReadBytes, kMaxRunReadBytes);
    RunMerger merger(runs, share);
    SnapshotWriter writer = lists.begin_snapshot(list, snapshot);
    while (merger.next()) writer.add(merger.key(), merger.value());
    stats.duplicates += merger.duplicates();
    writer.finish();
    return stats;
}

ImportStats import_append(BlackLists& lists, ListName list, std::istream& in,
                          const ImportOptions& options) {
    ImportStats stats;
    std::unique_ptr<WriteTxn> txn;  // the open batch
    std::size_t in_batch = 0;
    const std::size_t batch_size = std::max<std::size_t>(options.batch_size, 1);
    read_items(list, in, options, stats, [&](const ListItem& item) {
        if (!txn) txn = std::make_unique<WriteTxn>(lists.env());
        lists.add(*txn, list, item);
        if (++in_batch == batch_size) {
            txn->commit();
            txn.reset();
            in_batch = 0;
            lists.publish();
        }
    });
    // A read error drops the open batch; the caller reports it from in.bad().
    if (in.bad()) return stats;
    if (txn) {
        txn->commit();
        lists.publish();
    }
    return stats;
}

}  // namespace

ImportStats import_list(BlackLists& lists, ListName list, std::istream& in, ImportMode mode,
                        const ImportOptions& options) {
    return mode == ImportMode::replace ? import_replace(lists, list, in, options)
                                       : import_append(lists, list, in, options);
}

ImportStats import_list(BlackLists& lists, ListName list, std::istream& in, ImportMode mode,
                        const ImportProgress& progress, std::size_t progress_every) {
    ImportOptions options;
    options.progress = progress;
    options.progress_every = progress_every;
    return import_list(lists, list, in, mode, options);
}

}  // namespace piotd::storage
