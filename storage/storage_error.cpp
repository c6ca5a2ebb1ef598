#include "storage/storage_error.hpp"

#include <lmdb.h>

#include <cerrno>
#include <cstdint>

namespace piotd::storage {

namespace {

// The wording LMDB's own tools use (mdb_stat.c), so an operator can search for it.
std::string describe(const char* function, int mdb_rc) {
    return std::string(function) + " failed, error " + std::to_string(mdb_rc) + " " +
           mdb_strerror(mdb_rc);
}

}  // namespace

StorageError::StorageError(const char* function, int mdb_rc)
    : std::runtime_error(describe(function, mdb_rc)), mdb_rc_(mdb_rc) {}

StorageError::StorageError(const std::string& what, int mdb_rc)
    : std::runtime_error(what), mdb_rc_(mdb_rc) {}

bool StorageError::map_full() const {
    return mdb_rc_ == MDB_MAP_FULL;
}

std::string StorageError::remedy(const std::filesystem::path& data_dir) const {
    if (map_full()) return "the LMDB map is full: raise [storage] map_size_mb (--map-size-mb)";
    bool disk_full = mdb_rc_ == ENOSPC;
    if (mdb_rc_ == EIO && !data_dir.empty()) {
        // A short pwrite (LMDB's EIO) with less than one write batch of room left.
        std::error_code ec;
        const auto space = std::filesystem::space(data_dir, ec);
        disk_full = !ec && space.available < (std::uintmax_t{4} << 20);
    }
    if (disk_full) return "the data dir's file system is full: free some space";
    return {};
}

void check_mdb(const char* function, int rc) {
    if (rc != 0) throw StorageError(function, rc);
}

}  // namespace piotd::storage
