#include "storage/environment.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <system_error>

#include "storage/mapped_pages.hpp"
#include "storage/storage_error.hpp"

namespace piotd::storage {

namespace {

// A handful of reset handles covers the threads that look codes up concurrently; each pooled
// handle keeps one reader slot (of max_readers) for the life of the environment.
constexpr std::size_t kMaxPooledReads = 16;

void create_data_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return;
    if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
    // The dir holds the token and the lists: owner and the service group only.
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) {
        const int err = errno;
        throw StorageError(
            "cannot create data dir " + dir.string() + ": " + std::generic_category().message(err),
            err);
    }
}

// Closes the env if the constructor throws after mdb_env_create (the destructor won't run).
struct EnvGuard {
    MDB_env*& env;
    bool released = false;
    ~EnvGuard() {
        if (!released && env != nullptr) {
            mdb_env_close(env);
            env = nullptr;
        }
    }
};

}  // namespace

std::string_view db_name(Db db) {
    switch (db) {
        case Db::meta:
            return "meta";
        case Db::blocked_cis_0:
            return "blocked_cis.0";
        case Db::blocked_cis_1:
            return "blocked_cis.1";
        case Db::blocked_gtin_0:
            return "blocked_gtin.0";
        case Db::blocked_gtin_1:
            return "blocked_gtin.1";
        case Db::blocked_series_0:
            return "blocked_series.0";
        case Db::blocked_series_1:
            return "blocked_series.1";
        case Db::min_price_0:
            return "min_price.0";
        case Db::min_price_1:
            return "min_price.1";
        case Db::learned_0:
            return "learned.0";
        case Db::learned_1:
            return "learned.1";
        case Db::sold:
            return "sold";
        case Db::changes_blocked_cis:
            return "changes.blocked_cis";
        case Db::changes_blocked_gtin:
            return "changes.blocked_gtin";
        case Db::changes_blocked_series:
            return "changes.blocked_series";
        case Db::changes_min_price:
            return "changes.min_price";
        case Db::changes_learned:
            return "changes.learned";
        case Db::outbox:
            return "outbox";
        case Db::outbox_keys:
            return "outbox.keys";
        case Db::outbox_pending:
            return "outbox.pending";
        case Db::outbox_dead:
            return "outbox.dead";
        case Db::outbox_done:
            return "outbox.done";
        case Db::check_journal:
            return "check_journal";
        case Db::check_verdicts:
            return "check_verdicts";
        case Db::count:
            break;
    }
    return "unknown";
}

Environment::Environment(const EnvironmentOptions& options)
    : dir_(options.dir), read_only_(options.read_only) {
    if (!read_only_) create_data_dir(dir_);

    check_mdb("mdb_env_create", mdb_env_create(&env_));
    EnvGuard guard{env_};
    check_mdb("mdb_env_set_maxdbs",
              mdb_env_set_maxdbs(env_, static_cast<MDB_dbi>(static_cast<std::size_t>(Db::count))));
    check_mdb("mdb_env_set_mapsize", mdb_env_set_mapsize(env_, options.map_size));
    check_mdb("mdb_env_set_maxreaders", mdb_env_set_maxreaders(env_, options.max_readers));
    // MDB_NOTLS: read transactions are not tied to the thread that began them (lookups run on
    // any worker; pooled handles move between threads). No MDB_NOSYNC/MDB_NOMETASYNC: a commit
    // is on disk when it returns, so nothing acknowledged is lost on kill -9 or power loss.
    unsigned flags = MDB_NOTLS;
    if (read_only_) flags |= MDB_RDONLY;
    check_mdb("mdb_env_open", mdb_env_open(env_, dir_.c_str(), flags, 0640));

    // Reader slots left by a process that was killed would pin old pages forever.
    int dead = 0;
    check_mdb("mdb_reader_check", mdb_reader_check(env_, &dead));

    MDB_envinfo info{};
    check_mdb("mdb_env_info", mdb_env_info(env_, &info));
    map_size_ = info.me_mapsize;

    // DBI handles become shared by the environment once the opening transaction commits.
    MDB_txn* txn = nullptr;
    check_mdb("mdb_txn_begin", mdb_txn_begin(env_, nullptr, read_only_ ? MDB_RDONLY : 0, &txn));
    for (std::size_t i = 0; i < dbis_.size(); ++i) {
        const std::string name(db_name(static_cast<Db>(i)));
        const int rc = mdb_dbi_open(txn, name.c_str(), read_only_ ? 0 : MDB_CREATE, &dbis_[i]);
        if (rc != 0) {
            mdb_txn_abort(txn);
            if (rc == MDB_NOTFOUND) {
                throw StorageError("database '" + name + "' is missing in " + dir_.string() +
                                       " (open the data dir read-write once to create it)",
                                   rc);
            }
            check_mdb("mdb_dbi_open", rc);
        }
    }
    check_mdb("mdb_txn_commit", mdb_txn_commit(txn));
    read_pool_.reserve(kMaxPooledReads);  // so giving a handle back never allocates
    guard.released = true;
}

Environment::~Environment() {
    {
        std::lock_guard lock(pool_mutex_);
        for (MDB_txn* txn : read_pool_) mdb_txn_abort(txn);
        read_pool_.clear();
    }
    if (env_ != nullptr) mdb_env_close(env_);
}

void Environment::release_mapped_pages() const {
    storage::release_mapped_pages(dir_ / "data.mdb");
}

std::size_t Environment::file_size() const {
    std::error_code ec;
    const auto size = std::filesystem::file_size(dir_ / "data.mdb", ec);
    return ec ? 0 : static_cast<std::size_t>(size);
}

MDB_txn* Environment::take_pooled_read() const {
    {
        std::lock_guard lock(pool_mutex_);
        if (!read_pool_.empty()) {
            MDB_txn* txn = read_pool_.back();
            read_pool_.pop_back();
            return txn;
        }
    }
    return nullptr;
}

void Environment::return_pooled_read(MDB_txn* txn) const {
    {
        std::lock_guard lock(pool_mutex_);
        if (read_pool_.size() < kMaxPooledReads) {
            read_pool_.push_back(txn);
            return;
        }
    }
    mdb_txn_abort(txn);
}

}  // namespace piotd::storage
