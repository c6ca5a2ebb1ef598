#include "storage/cursor.hpp"

#include "storage/storage_error.hpp"

namespace piotd::storage {

Cursor::Cursor(MDB_txn* txn, MDB_dbi dbi) {
    if (txn == nullptr) throw StorageError("cursor opened on a finished transaction");
    check_mdb("mdb_cursor_open", mdb_cursor_open(txn, dbi, &cursor_));
}

Cursor::Cursor(const ReadTxn& txn, Db db) : Cursor(txn.handle(), txn.env().dbi(db)) {}

Cursor::Cursor(const WriteTxn& txn, Db db) : Cursor(txn.handle(), txn.env().dbi(db)) {}

Cursor::~Cursor() {
    mdb_cursor_close(cursor_);
}

bool Cursor::move(MDB_cursor_op op) {
    const int rc = mdb_cursor_get(cursor_, &key_, &value_, op);
    if (rc == MDB_NOTFOUND) return false;  // the end of the database is not an error
    check_mdb("mdb_cursor_get", rc);
    return true;
}

bool Cursor::first() {
    return move(MDB_FIRST);
}

bool Cursor::next() {
    return move(MDB_NEXT);
}

bool Cursor::last() {
    return move(MDB_LAST);
}

bool Cursor::prev() {
    return move(MDB_PREV);
}

bool Cursor::seek(std::string_view key) {
    key_ = to_val(key);
    return move(MDB_SET_RANGE);
}

}  // namespace piotd::storage
