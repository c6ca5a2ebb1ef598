// RAII LMDB transactions. A transaction that goes out of scope without commit() is aborted.
#pragma once

#include <lmdb.h>

#include <cstddef>
#include <optional>
#include <string_view>

#include "storage/environment.hpp"

namespace piotd::storage {

inline MDB_val to_val(std::string_view s) {
    return MDB_val{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view from_val(const MDB_val& v) {
    return {static_cast<const char*>(v.mv_data), v.mv_size};
}

// Read-only snapshot of the whole environment. Cheap: on the hot path use ReadTxn::pooled, which
// renews a reset handle kept by the Environment instead of allocating a new one each time.
class ReadTxn {
public:
    explicit ReadTxn(const Environment& env);
    ~ReadTxn();
    ReadTxn(ReadTxn&& other) noexcept;
    ReadTxn& operator=(ReadTxn&&) = delete;
    ReadTxn(const ReadTxn&) = delete;

    // A transaction on a handle borrowed from the environment's pool; it is reset and given back
    // (not aborted) when this object goes away. The Environment must outlive it, as always.
    static ReadTxn pooled(const Environment& env);

    MDB_txn* handle() const { return txn_; }
    const Environment& env() const { return *env_; }
    // Value for `key`, pointing into the map (valid until the transaction ends), or nothing.
    std::optional<std::string_view> get(Db db, std::string_view key) const;
    std::size_t entries(Db db) const;

private:
    ReadTxn(const Environment& env, MDB_txn* renewed) : env_(&env), txn_(renewed), pooled_(true) {}

    const Environment* env_;
    MDB_txn* txn_ = nullptr;
    bool pooled_ = false;
};

// The single writer. LMDB serialises writers itself; keep write transactions short and never
// hold one across network I/O.
class WriteTxn {
public:
    explicit WriteTxn(const Environment& env);
    ~WriteTxn();
    WriteTxn(const WriteTxn&) = delete;
    WriteTxn& operator=(const WriteTxn&) = delete;

    MDB_txn* handle() const { return txn_; }
    const Environment& env() const { return *env_; }
    std::optional<std::string_view> get(Db db, std::string_view key) const;
    void put(Db db, std::string_view key, std::string_view value);
    // Puts a key greater than every key of `db` with MDB_APPEND: no page splits, so pages fill
    // up completely (a sorted snapshot takes about half the pages and time). Returns false and
    // writes nothing when the key is not the greatest; put() it then.
    bool append(Db db, std::string_view key, std::string_view value);
    // Returns false when the key was not there.
    bool del(Db db, std::string_view key);
    // Empties a database (used before loading a snapshot into an inactive slot).
    void clear(Db db);
    std::size_t entries(Db db) const;
    void commit();

private:
    const Environment* env_;
    MDB_txn* txn_ = nullptr;
};

}  // namespace piotd::storage
