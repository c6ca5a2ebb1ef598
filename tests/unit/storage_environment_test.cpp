// The LMDB environment, RAII transactions, cursors and error surfacing (storage/environment.hpp,
// storage/transaction.hpp, storage/cursor.hpp, storage/storage_error.hpp).
#include <doctest/doctest.h>
#include <lmdb.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "storage/cursor.hpp"
#include "storage/environment.hpp"
#include "storage/storage_error.hpp"
#include "storage/transaction.hpp"
#include "storage_test_support.hpp"

using namespace piotd::storage;
using piotd::storage::test::TempDir;

namespace {

// Rss (kB) of the mapping of this process that contains `address`, from /proc/self/smaps.
long mapping_rss_kb(const void* address) {
    std::ifstream smaps("/proc/self/smaps");
    const auto at = reinterpret_cast<std::uintptr_t>(address);
    bool inside = false;
    std::string line;
    while (std::getline(smaps, line)) {
        const auto dash = line.find('-');
        const auto space = line.find(' ');
        if (dash != std::string::npos && space != std::string::npos && dash < space &&
            line.find_first_not_of("0123456789abcdef") == dash) {
            const std::uintptr_t start = std::stoull(line.substr(0, dash), nullptr, 16);
            const std::uintptr_t end =
                std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16);
            inside = at >= start && at < end;
        } else if (inside && line.starts_with("Rss:")) {
            return std::stol(line.substr(4));
        }
    }
    return -1;
}

EnvironmentOptions options_for(const TempDir& dir) {
    EnvironmentOptions options;
    options.dir = dir.path() / "data";
    options.map_size = std::size_t{64} << 20;
    return options;
}

}  // namespace

TEST_SUITE("storage.environment") {
    TEST_CASE("db names are stable") {
        CHECK(db_name(Db::meta) == "meta");
        CHECK(db_name(Db::blocked_cis_0) == "blocked_cis.0");
        CHECK(db_name(Db::blocked_cis_1) == "blocked_cis.1");
        CHECK(db_name(Db::blocked_series_1) == "blocked_series.1");
        CHECK(db_name(Db::min_price_0) == "min_price.0");
        CHECK(db_name(Db::sold) == "sold");
    }

    TEST_CASE("open creates the data dir (mode 0750) and reopen keeps committed data") {
        TempDir dir;
        const EnvironmentOptions options = options_for(dir);
        {
            Environment env(options);
            struct stat st {};
            REQUIRE(::stat(options.dir.c_str(), &st) == 0);
            // 0750, or stricter under a stricter umask.
            CHECK((st.st_mode & 0700) == 0700);
            CHECK((st.st_mode & 0027) == 0);
            CHECK(std::filesystem::exists(options.dir / "data.mdb"));
            CHECK(std::filesystem::exists(options.dir / "lock.mdb"));
            CHECK(env.file_size() > 0);
            CHECK(env.map_size() == options.map_size);
            CHECK_FALSE(env.read_only());

            WriteTxn txn(env);
            txn.put(Db::meta, "k", "v");
            txn.put(Db::blocked_gtin_1, "04600000000000", "");
            txn.commit();
        }
        Environment env(options);
        const ReadTxn txn(env);
        CHECK(txn.get(Db::meta, "k") == std::optional<std::string_view>("v"));
        CHECK(txn.get(Db::blocked_gtin_1, "04600000000000") == std::optional<std::string_view>(""));
        CHECK(txn.entries(Db::blocked_gtin_1) == 1);
        CHECK(txn.entries(Db::blocked_gtin_0) == 0);
    }

    TEST_CASE("a write transaction that is not committed is aborted at scope exit") {
        TempDir dir;
        Environment env(options_for(dir));
        {
            WriteTxn txn(env);
            txn.put(Db::meta, "lost", "1");
            CHECK(txn.get(Db::meta, "lost").has_value());  // visible inside the transaction
        }
        {
            WriteTxn txn(env);
            txn.put(Db::meta, "kept", "1");
            txn.put(Db::sold, "a", "1");
            txn.put(Db::sold, "b", "2");
            txn.commit();
            CHECK_THROWS_AS(txn.put(Db::meta, "after", "commit"), StorageError);
        }
        const ReadTxn txn(env);
        CHECK_FALSE(txn.get(Db::meta, "lost").has_value());
        CHECK(txn.get(Db::meta, "kept").has_value());
        CHECK(txn.entries(Db::sold) == 2);
    }

    TEST_CASE("del, clear and entries") {
        TempDir dir;
        Environment env(options_for(dir));
        WriteTxn txn(env);
        for (int i = 0; i < 100; ++i) txn.put(Db::blocked_cis_0, "key" + std::to_string(i), "");
        CHECK(txn.entries(Db::blocked_cis_0) == 100);
        CHECK(txn.del(Db::blocked_cis_0, "key7"));
        CHECK_FALSE(txn.del(Db::blocked_cis_0, "key7"));
        CHECK(txn.entries(Db::blocked_cis_0) == 99);
        txn.clear(Db::blocked_cis_0);
        CHECK(txn.entries(Db::blocked_cis_0) == 0);
        txn.put(Db::blocked_cis_0, "again", "");  // the database stays usable after clear
        txn.commit();
        CHECK(ReadTxn(env).entries(Db::blocked_cis_0) == 1);
    }

    TEST_CASE("a read transaction is a snapshot: later commits are not visible in it") {
        TempDir dir;
        Environment env(options_for(dir));
        const ReadTxn before(env);
        {
            WriteTxn txn(env);
            txn.put(Db::meta, "new", "1");
            txn.commit();
        }
        CHECK_FALSE(before.get(Db::meta, "new").has_value());
        CHECK(ReadTxn(env).get(Db::meta, "new").has_value());
        CHECK(ReadTxn::pooled(env).get(Db::meta, "new").has_value());
    }

    TEST_CASE("pooled read transactions are renewed and see the latest commit") {
        TempDir dir;
        Environment env(options_for(dir));
        for (int i = 0; i < 50; ++i) {
            {
                WriteTxn txn(env);
                txn.put(Db::meta, "n", std::to_string(i));
                txn.commit();
            }
            // Several at once, more than the pool keeps, then all given back.
            std::vector<ReadTxn> open;
            for (int j = 0; j < 20; ++j) open.push_back(ReadTxn::pooled(env));
            for (const ReadTxn& txn : open) {
                CHECK(txn.get(Db::meta, "n") == std::optional<std::string_view>(std::to_string(i)));
            }
        }
    }

    TEST_CASE("cursor walks in key order and seeks") {
        TempDir dir;
        Environment env(options_for(dir));
        {
            WriteTxn txn(env);
            for (const char* k : {"b", "d", "a", "c"}) txn.put(Db::blocked_gtin_0, k, k);
            {
                Cursor cursor(txn, Db::blocked_gtin_0);  // a cursor inside a write transaction
                REQUIRE(cursor.first());
                CHECK(cursor.key() == "a");
            }
            txn.commit();
        }
        const ReadTxn txn(env);
        Cursor cursor(txn, Db::blocked_gtin_0);
        std::string keys;
        for (bool more = cursor.first(); more; more = cursor.next()) {
            keys += cursor.key();
            CHECK(cursor.value() == cursor.key());
        }
        CHECK(keys == "abcd");
        REQUIRE(cursor.seek("bb"));
        CHECK(cursor.key() == "c");
        CHECK_FALSE(cursor.seek("z"));
        Cursor empty(txn, Db::blocked_gtin_1);
        CHECK_FALSE(empty.first());
    }

    TEST_CASE("errors name the failing function like LMDB's tools") {
        const StorageError e("mdb_txn_begin", ENOMEM);
        CHECK(std::string(e.what()) ==
              "mdb_txn_begin failed, error 12 " + std::string(mdb_strerror(ENOMEM)));
        CHECK(e.mdb_code() == ENOMEM);
        CHECK_FALSE(e.map_full());
        CHECK(StorageError("mdb_put", MDB_MAP_FULL).map_full());
        CHECK_NOTHROW(check_mdb("mdb_get", 0));
        CHECK_THROWS_WITH_AS(check_mdb("mdb_get", MDB_CORRUPTED),
                             doctest::Contains("mdb_get failed, error -30796"), StorageError);
    }

    TEST_CASE("a full map surfaces as StorageError::map_full") {
        TempDir dir;
        EnvironmentOptions options = options_for(dir);
        options.map_size = std::size_t{1} << 20;  // 256 pages
        Environment env(options);
        const std::string value(4000, 'x');
        bool full = false;
        try {
            WriteTxn txn(env);
            for (int i = 0; i < 1000; ++i) txn.put(Db::sold, "key" + std::to_string(i), value);
            txn.commit();
        } catch (const StorageError& e) {
            full = e.map_full();
            CHECK(std::string(e.what()).find("failed, error -30792 MDB_MAP_FULL") !=
                  std::string::npos);
        }
        CHECK(full);
        // The failed transaction was aborted; the environment still works.
        WriteTxn txn(env);
        txn.put(Db::meta, "small", "ok");
        txn.commit();
        CHECK(ReadTxn(env).entries(Db::sold) == 0);
    }

    TEST_CASE("read-only: reads work, writes fail, nothing is created") {
        TempDir dir;
        EnvironmentOptions options = options_for(dir);
        {
            options.read_only = true;
            CHECK_THROWS_AS(Environment{options}, StorageError);
            CHECK_FALSE(std::filesystem::exists(options.dir));
        }
        {
            options.read_only = false;
            Environment env(options);
            WriteTxn txn(env);
            txn.put(Db::meta, "inst", "x");
            txn.commit();
        }
        options.read_only = true;
        Environment env(options);
        CHECK(env.read_only());
        CHECK(ReadTxn(env).get(Db::meta, "inst") == std::optional<std::string_view>("x"));
        CHECK_THROWS_AS(WriteTxn{env}, StorageError);
    }

    TEST_CASE("releasing mapped pages empties the map's RSS and keeps every value readable") {
        TempDir dir;
        Environment env(options_for(dir));
        const std::string value(1000, 'v');
        {
            WriteTxn txn(env);
            for (int i = 0; i < 4000; ++i)
                txn.put(Db::sold, "key" + std::to_string(10000 + i), value);
            txn.commit();
        }
        const void* in_map = nullptr;
        {
            const ReadTxn txn(env);
            for (int i = 0; i < 4000; ++i) {
                const auto got = txn.get(Db::sold, "key" + std::to_string(10000 + i));
                REQUIRE(got);
                CHECK(*got == value);
                in_map = got->data();
            }
        }
        CHECK(mapping_rss_kb(in_map) >= 4000);  // 4 MB of values were read through the map

        env.release_mapped_pages();
        CHECK(mapping_rss_kb(in_map) == 0);
        const ReadTxn txn(env);
        for (int i = 0; i < 4000; ++i) {
            CHECK(txn.get(Db::sold, "key" + std::to_string(10000 + i)) ==
                  std::optional<std::string_view>(value));
        }
    }
}
