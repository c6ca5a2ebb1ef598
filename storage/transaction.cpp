#include "storage/transaction.hpp"

#include <utility>

#include "storage/storage_error.hpp"

namespace piotd::storage {

namespace {

std::optional<std::string_view> get_in(MDB_txn* txn, MDB_dbi dbi, std::string_view key) {
    MDB_val k = to_val(key);
    MDB_val v{};
    const int rc = mdb_get(txn, dbi, &k, &v);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    check_mdb("mdb_get", rc);
    return from_val(v);
}

std::size_t entries_in(MDB_txn* txn, MDB_dbi dbi) {
    MDB_stat stat{};
    check_mdb("mdb_stat", mdb_stat(txn, dbi, &stat));
    return stat.ms_entries;
}

}  // namespace

// ---- ReadTxn ----

ReadTxn::ReadTxn(const Environment& env) : env_(&env) {
    check_mdb("mdb_txn_begin", mdb_txn_begin(env.handle(), nullptr, MDB_RDONLY, &txn_));
}

ReadTxn ReadTxn::pooled(const Environment& env) {
    if (MDB_txn* txn = env.take_pooled_read()) {
        const int rc = mdb_txn_renew(txn);
        if (rc == 0) return ReadTxn(env, txn);
        mdb_txn_abort(txn);
        check_mdb("mdb_txn_renew", rc);
    }
    MDB_txn* txn = nullptr;
    check_mdb("mdb_txn_begin", mdb_txn_begin(env.handle(), nullptr, MDB_RDONLY, &txn));
    return ReadTxn(env, txn);
}

ReadTxn::~ReadTxn() {
    if (txn_ == nullptr) return;
    if (pooled_) {
        // Reset releases the snapshot (old pages can be reused) but keeps the reader slot.
        mdb_txn_reset(txn_);
        env_->return_pooled_read(txn_);
    } else {
        mdb_txn_abort(txn_);
    }
}

ReadTxn::ReadTxn(ReadTxn&& other) noexcept
    : env_(other.env_), txn_(std::exchange(other.txn_, nullptr)), pooled_(other.pooled_) {}

std::optional<std::string_view> ReadTxn::get(Db db, std::string_view key) const {
    return get_in(txn_, env_->dbi(db), key);
}

std::size_t ReadTxn::entries(Db db) const {
    return entries_in(txn_, env_->dbi(db));
}

// ---- WriteTxn ----

WriteTxn::WriteTxn(const Environment& env) : env_(&env) {
    check_mdb("mdb_txn_begin", mdb_txn_begin(env.handle(), nullptr, 0, &txn_));
}

WriteTxn::~WriteTxn() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
}

namespace {

MDB_txn* live(MDB_txn* txn) {
    if (txn == nullptr) throw StorageError("write transaction used after commit");
    return txn;
}

}  // namespace

std::optional<std::string_view> WriteTxn::get(Db db, std::string_view key) const {
    return get_in(live(txn_), env_->dbi(db), key);
}

void WriteTxn::put(Db db, std::string_view key, std::string_view value) {
    MDB_val k = to_val(key);
    MDB_val v = to_val(value);
    check_mdb("mdb_put", mdb_put(live(txn_), env_->dbi(db), &k, &v, 0));
}

bool WriteTxn::append(Db db, std::string_view key, std::string_view value) {
    MDB_val k = to_val(key);
    MDB_val v = to_val(value);
    const int rc = mdb_put(live(txn_), env_->dbi(db), &k, &v, MDB_APPEND);
    if (rc == MDB_KEYEXIST) return false;
    check_mdb("mdb_put", rc);
    return true;
}

bool WriteTxn::del(Db db, std::string_view key) {
    MDB_val k = to_val(key);
    const int rc = mdb_del(live(txn_), env_->dbi(db), &k, nullptr);
    if (rc == MDB_NOTFOUND) return false;
    check_mdb("mdb_del", rc);
    return true;
}

void WriteTxn::clear(Db db) {
    check_mdb("mdb_drop", mdb_drop(live(txn_), env_->dbi(db), 0));
}

std::size_t WriteTxn::entries(Db db) const {
    return entries_in(live(txn_), env_->dbi(db));
}

void WriteTxn::commit() {
    // mdb_txn_commit frees the transaction even when it fails: never abort it afterwards.
    MDB_txn* txn = std::exchange(txn_, nullptr);
    check_mdb("mdb_txn_commit", mdb_txn_commit(live(txn)));
}

}  // namespace piotd::storage
