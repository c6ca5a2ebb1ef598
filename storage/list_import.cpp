#include "storage/list_import.hpp"

#include <memory>
#include <optional>
#include <string_view>

#include "storage/list_item.hpp"
#include "storage/transaction.hpp"

namespace piotd::storage {

namespace {

constexpr std::size_t kMaxErrorsKept = 10;

bool skipped(std::string_view line) {
    const std::size_t first = line.find_first_not_of(" \t\r\n");
    return first == std::string_view::npos || line[first] == '#';
}

}  // namespace

ImportStats import_list(BlackLists& lists, ListName list, std::istream& in, ImportMode mode,
                        const ImportProgress& progress, std::size_t progress_every) {
    ImportStats stats;
    std::optional<SnapshotWriter> writer;
    if (mode == ImportMode::replace) writer.emplace(lists.begin_snapshot(list));
    std::unique_ptr<WriteTxn> txn;  // append mode: the open batch
    std::size_t in_batch = 0;

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
        if (writer) {
            writer->add(parsed.item);
        } else {
            if (!txn) txn = std::make_unique<WriteTxn>(lists.env());
            lists.add(*txn, list, parsed.item);
            if (++in_batch == SnapshotWriter::kBatchSize) {
                txn->commit();
                txn.reset();
                in_batch = 0;
                lists.publish();
            }
        }
        ++stats.loaded;
        if (progress && progress_every > 0 && stats.loaded % progress_every == 0) {
            progress(stats.loaded);
        }
    }
    // A read error is not the end of the list: a replace keeps the old list (the writer aborts)
    // and an append drops its open batch. The caller reports it from in.bad().
    if (in.bad()) return stats;
    if (writer) {
        writer->finish();
    } else if (txn) {
        txn->commit();
        lists.publish();
    }
    return stats;
}

}  // namespace piotd::storage
