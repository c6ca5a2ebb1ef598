#include "storage/storage_error.hpp"

#include <lmdb.h>

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

void check_mdb(const char* function, int rc) {
    if (rc != 0) throw StorageError(function, rc);
}

}  // namespace piotd::storage
