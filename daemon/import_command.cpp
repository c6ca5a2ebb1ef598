#include "daemon/import_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "daemon/clock.hpp"
#include "daemon/local_module.hpp"
#include "storage/list_import.hpp"
#include "storage/storage_error.hpp"

namespace piotd::daemon {

int run_import(const CommandLine& line, const Config& config) {
    const auto list = storage::parse_list_name(*line.list);
    if (!list) {
        std::cerr << "piotd import: unknown list '" << *line.list
                  << "' (blocked_cis, blocked_gtin, blocked_series, min_price, learned)\n";
        return 2;
    }
    std::ifstream file;
    std::istream* in = &std::cin;
    if (*line.input != "-") {
        file.open(*line.input);
        if (!file) {
            std::cerr << "piotd import: cannot open " << *line.input << "\n";
            return 1;
        }
        in = &file;
    }

    Clock clock;
    LocalModule module(config, clock);
    const bool terminal = isatty(STDERR_FILENO) == 1;
    const auto progress = [terminal](std::size_t loaded) {
        if (terminal) std::fprintf(stderr, "\rpiotd import: %zu items loaded", loaded);
    };
    const auto mode = line.append ? storage::ImportMode::append : storage::ImportMode::replace;
    storage::ImportStats stats;
    try {
        stats = storage::import_list(module.lists(), *list, *in, mode, progress);
    } catch (const storage::StorageError& e) {
        // A full disk or map: the writer's transaction is aborted, so a replace keeps the old
        // list whole (an append keeps the batches committed before).
        if (terminal) std::fputc('\n', stderr);
        const std::string remedy = e.remedy(module.env().dir());
        std::cerr << "piotd import: " << e.what() << (remedy.empty() ? "" : "; " + remedy)
                  << (mode == storage::ImportMode::replace ? "; the list was not replaced\n"
                                                           : "; the items committed before stay\n");
        return 1;
    }
    if (terminal) std::fputc('\n', stderr);
    if (in->bad()) {
        std::cerr << "piotd import: read error on " << *line.input << "; nothing was replaced\n";
        return 1;
    }
    module.record_load(*list, mode == storage::ImportMode::replace ? LocalModule::Load::full
                                                                   : LocalModule::Load::partial);

    std::cout << "piotd import: " << storage::list_name(*list) << ": " << stats.loaded
              << " items loaded from " << stats.lines << " lines";
    if (stats.rejected > 0) std::cout << ", " << stats.rejected << " rejected";
    // A key on several lines is loaded once, with the last line's value.
    if (stats.duplicates > 0) std::cout << ", " << stats.duplicates << " duplicates dropped";
    std::cout << "\n";
    for (const std::string& error : stats.first_errors) std::cerr << "  " << error << "\n";
    return stats.rejected > 0 ? 3 : 0;
}

}  // namespace piotd::daemon
