// Where a list stands for replication (docs/replication.md): its epoch, the last sequence number
// its change log assigned, the first one the log still holds, and its item count.
#pragma once

#include <cstdint>
#include <string>

namespace piotd::storage {

struct ListVersion {
    std::string epoch;            // UUID; changes whenever the list is replaced whole
    std::uint64_t seq = 0;        // the last change's sequence number (0: none yet)
    std::uint64_t oldest = 1;     // the first seq the log holds (seq + 1 when it is empty)
    std::uint64_t doc_count = 0;  // items in the active slot

    // A client at `since` in this epoch can catch up from the log (docs/replication.md: no 410).
    bool can_catch_up(std::uint64_t since) const { return since + 1 >= oldest && since <= seq; }
};

}  // namespace piotd::storage
