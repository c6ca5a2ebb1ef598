// Module state in `meta` (storage/module_state.hpp).
#include <doctest/doctest.h>

#include "storage/environment.hpp"
#include "storage/module_state.hpp"
#include "storage/transaction.hpp"
#include "storage_test_support.hpp"

using namespace piotd::storage;
using piotd::storage::test::TempDir;

TEST_SUITE("storage.module_state") {
    TEST_CASE("a fresh data dir reads as the default state") {
        TempDir dir;
        Environment env(EnvironmentOptions{dir.path(), std::size_t{16} << 20});
        const ModuleState state = read_module_state(ReadTxn(env));
        CHECK(state.inst.empty());
        CHECK(state.token.empty());
        CHECK(state.last_sync_ms == 0);
        CHECK_FALSE(state.lists_loaded);
        CHECK_FALSE(state.demo);
        for (const std::int64_t ms : state.loaded_ms) CHECK(ms == 0);
    }

    TEST_CASE("write then read round trips, also across a reopen, as decimal text") {
        TempDir dir;
        const EnvironmentOptions options{dir.path(), std::size_t{16} << 20};
        ModuleState state;
        state.inst = "0b7f4a1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b";
        state.token = "secret-token";
        state.inn = "7700000000";
        state.db_version = "11111111-2222-4333-8444-555555555555";
        state.last_sync_ms = 1'763'900'000'123;
        state.last_update_ms = -5;
        state.lists_loaded = true;
        state.loaded_ms = {1, 2, 0, 4};
        state.demo = true;
        {
            Environment env(options);
            WriteTxn txn(env);
            write_module_state(txn, state);
            txn.commit();
        }
        Environment env(options);
        const ReadTxn txn(env);
        const ModuleState back = read_module_state(txn);
        CHECK(back.inst == state.inst);
        CHECK(back.token == state.token);
        CHECK(back.inn == state.inn);
        CHECK(back.db_version == state.db_version);
        CHECK(back.last_sync_ms == state.last_sync_ms);
        CHECK(back.last_update_ms == state.last_update_ms);
        CHECK(back.lists_loaded);
        CHECK(back.loaded_ms == state.loaded_ms);
        CHECK(back.demo);
        CHECK(txn.get(Db::meta, "last_sync_ms") ==
              std::optional<std::string_view>("1763900000123"));
        CHECK(txn.get(Db::meta, "loaded/blocked_gtin") == std::optional<std::string_view>("2"));
        CHECK(txn.get(Db::meta, "lists_loaded") == std::optional<std::string_view>("1"));
    }

    TEST_CASE("a malformed number reads as 0") {
        TempDir dir;
        Environment env(EnvironmentOptions{dir.path(), std::size_t{16} << 20});
        {
            WriteTxn txn(env);
            txn.put(Db::meta, "last_sync_ms", "12abc");
            txn.put(Db::meta, "last_update_ms", "");
            txn.commit();
        }
        const ModuleState state = read_module_state(ReadTxn(env));
        CHECK(state.last_sync_ms == 0);
        CHECK(state.last_update_ms == 0);
    }
}
