// Walks one database in key order inside a transaction. Destroy the cursor before its
// transaction ends: LMDB frees a write transaction's cursors at commit.
#pragma once

#include <lmdb.h>

#include <string_view>

#include "storage/environment.hpp"
#include "storage/transaction.hpp"

namespace piotd::storage {

class Cursor {
public:
    Cursor(const ReadTxn& txn, Db db);
    Cursor(const WriteTxn& txn, Db db);
    ~Cursor();
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;

    // Each returns false when there is no such entry (end of the database).
    bool first();
    bool next();
    bool seek(std::string_view key);  // the first entry whose key is >= `key`
    bool last();
    bool prev();

    // The current entry, pointing into the map: valid until the transaction ends.
    std::string_view key() const { return from_val(key_); }
    std::string_view value() const { return from_val(value_); }

private:
    Cursor(MDB_txn* txn, MDB_dbi dbi);
    bool move(MDB_cursor_op op);

    MDB_cursor* cursor_ = nullptr;
    MDB_val key_{};
    MDB_val value_{};
};

}  // namespace piotd::storage
