// Failures of the storage layer. Outcomes a caller expects (a key that is absent) are values;
// everything LMDB reports that "should not happen" (I/O error, map full, corrupted file) is a
// StorageError naming the failing mdb_* function, like LMDB's own tools print it. The daemon
// catches it at the request boundary and answers 503 with a JSON body.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace piotd::storage {

class StorageError : public std::runtime_error {
public:
    StorageError(const char* function, int mdb_rc);
    StorageError(const std::string& what, int mdb_rc = 0);

    int mdb_code() const { return mdb_rc_; }
    bool map_full() const;  // MDB_MAP_FULL: the data dir needs a larger --map-size
    // What an operator does about it, for the failures that have a remedy (a full map, a full
    // disk); empty otherwise. LMDB reports a write cut short by a full disk as EIO, so an I/O
    // error is looked at again with the free space of `data_dir`.
    std::string remedy(const std::filesystem::path& data_dir = {}) const;

private:
    int mdb_rc_ = 0;
};

// Throws StorageError("<function> failed, error <rc> <mdb_strerror(rc)>") when rc != 0.
void check_mdb(const char* function, int rc);

}  // namespace piotd::storage
