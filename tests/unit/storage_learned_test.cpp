// The `learned` list (storage/list_name.hpp): КИ the store's LM or the True API reported as
// blocked. Items, lookup, deltas, snapshots, change log, and data dirs from before the list.
#include <doctest/doctest.h>
#include <lmdb.h>

#include <algorithm>
#include <string>
#include <vector>

#include "protocol/codes/marking_code.hpp"
#include "storage/black_lists.hpp"
#include "storage/change_log.hpp"
#include "storage/environment.hpp"
#include "storage/list_slots.hpp"
#include "storage/module_state.hpp"
#include "storage/snapshot_reader.hpp"
#include "storage/storage_error.hpp"
#include "storage/transaction.hpp"
#include "storage_test_support.hpp"

using namespace piotd::storage;
using piotd::protocol::Change;
using piotd::protocol::ChangeOp;
using piotd::storage::test::Codes;
using piotd::storage::test::kis;
using piotd::storage::test::Module;

namespace {

CodeStatus check(const BlackLists& lists, std::string_view scanned) {
    const piotd::protocol::ParseResult parsed = piotd::protocol::parse_marking_code(scanned);
    INFO("code: " << scanned);
    REQUIRE(parsed);
    return lists.lookup(parsed.code);
}

ListItem item(ListName list, std::string_view text) {
    const ListItemParse parsed = parse_list_item(list, text);
    INFO("item: " << text << " " << parsed.error);
    REQUIRE(parsed.ok);
    return parsed.item;
}

void load(BlackLists& lists, ListName list, const std::vector<std::string>& texts) {
    auto writer = lists.begin_snapshot(list);
    for (const std::string& text : texts) writer.add(item(list, text));
    writer.finish();
}

void add_learned(Environment& env, BlackLists& lists, const std::vector<std::string>& texts) {
    WriteTxn txn(env);
    for (const std::string& text : texts)
        lists.add(txn, ListName::learned, item(ListName::learned, text));
    txn.commit();
}

std::vector<std::string> stream(const BlackLists& lists, ListName list) {
    SnapshotReader reader(lists, list);
    std::vector<std::string> out;
    for (std::string text; reader.next(text);) out.push_back(text);
    return out;
}

}  // namespace

TEST_SUITE("storage.learned") {
    TEST_CASE("learned is the fifth list and takes КИ exactly like blocked_cis") {
        CHECK(kAllLists.back() == ListName::learned);
        CHECK(static_cast<int>(ListName::learned) == 4);  // the four older lists keep 0..3
        CHECK(list_name(ListName::learned) == "learned");
        CHECK(parse_list_name("learned") == ListName::learned);
        CHECK(db_name(slot_db(ListName::learned, 0)) == "learned.0");
        CHECK(db_name(slot_db(ListName::learned, 1)) == "learned.1");
        CHECK(db_name(change_db(ListName::learned)) == "changes.learned");
        CHECK(db_name(change_db(ListName::min_price)) == "changes.min_price");
        CHECK(db_name(slot_db(ListName::min_price, 1)) == "min_price.1");

        const std::string ki = Codes(1).ki();
        for (const std::string& line : {ki, Codes::with_tail(ki), "  " + ki + "\r\n"}) {
            const ListItemParse learned = parse_list_item(ListName::learned, line);
            const ListItemParse cis = parse_list_item(ListName::blocked_cis, line);
            REQUIRE(learned.ok);
            CHECK(learned.item.key == cis.item.key);
            CHECK(learned.item.key == ki);
            CHECK(learned.item.value.empty());
            CHECK(format_list_item(ListName::learned, learned.item.key, {}) == ki);
        }
        CHECK_FALSE(parse_list_item(ListName::learned, "04601662000016").ok);
        CHECK(parse_list_item(ListName::learned, "not a code").error ==
              parse_list_item(ListName::blocked_cis, "not a code").error);
    }

    TEST_CASE("learned: add, lookup, remove, publish, reopen") {
        Module m;
        load(*m.lists, ListName::blocked_cis, kis(1, 50));
        const std::vector<std::string> learned = kis(2, 3);
        Codes codes(3);
        CHECK(m.lists->count(ListName::learned) == 0);
        CHECK_FALSE(check(*m.lists, learned[0]).blocked());

        add_learned(*m.env, *m.lists, {Codes::with_tail(learned[0]), learned[1]});
        m.lists->publish();
        CHECK(m.lists->count(ListName::learned) == 2);
        const CodeStatus status = check(*m.lists, Codes::with_tail(learned[0]));
        CHECK(status.learned_blocked);
        CHECK(status.blocked());
        CHECK_FALSE(status.cis_blocked);
        CHECK(m.lists->lookup_ki(learned[1]).learned_blocked);
        CHECK_FALSE(check(*m.lists, learned[2]).blocked());
        CHECK_FALSE(check(*m.lists, kis(1, 1)[0]).learned_blocked);  // on blocked_cis only
        CHECK(check(*m.lists, kis(1, 1)[0]).cis_blocked);
        for (int i = 0; i < 200; ++i) CHECK_FALSE(check(*m.lists, codes.ki()).blocked());

        // Only effective changes are logged, like every list.
        const std::uint64_t seq = m.lists->version(ListName::learned).seq;
        CHECK(seq == 2);
        {
            WriteTxn txn(*m.env);
            CHECK_FALSE(m.lists->add(txn, ListName::learned, item(ListName::learned, learned[1])));
            CHECK(m.lists->remove(txn, ListName::learned, learned[1]));
            CHECK_FALSE(m.lists->remove(txn, ListName::learned, learned[2]));
            txn.commit();
        }
        m.lists->publish();
        CHECK_FALSE(m.lists->lookup_ki(learned[1]).learned_blocked);  // LMDB over the filter
        CHECK(m.lists->count(ListName::learned) == 1);
        const ChangeRead read = m.lists->changes_since(
            ListName::learned, m.lists->version(ListName::learned).epoch, 0, 100);
        REQUIRE(read.changes.size() == 3);
        CHECK(read.changes[2].op == ChangeOp::remove);
        CHECK(read.changes[2].item == learned[1]);

        // An aborted addition leaves nothing behind.
        {
            WriteTxn txn(*m.env);
            m.lists->add(txn, ListName::learned, item(ListName::learned, learned[2]));
        }
        m.lists->publish();
        CHECK_FALSE(m.lists->lookup_ki(learned[2]).learned_blocked);

        m.open();  // the filter of learned is rebuilt by a scan
        CHECK(m.lists->count(ListName::learned) == 1);
        CHECK(check(*m.lists, learned[0]).learned_blocked);
        CHECK_FALSE(check(*m.lists, learned[1]).learned_blocked);
        CHECK(check(*m.lists, kis(1, 1)[0]).cis_blocked);
    }

    TEST_CASE("learned: a thousand adds outgrow the first filter and stay found") {
        Module m;
        const std::vector<std::string> learned = kis(10, 3000);
        for (std::size_t at = 0; at < learned.size(); at += 500) {
            add_learned(*m.env, *m.lists,
                        {learned.begin() + static_cast<std::ptrdiff_t>(at),
                         learned.begin() + static_cast<std::ptrdiff_t>(at + 500)});
            m.lists->publish();
        }
        CHECK(m.lists->count(ListName::learned) == 3000);
        std::size_t found = 0;
        for (const std::string& ki : learned) {
            if (m.lists->lookup_ki(ki).learned_blocked) ++found;
        }
        CHECK(found == 3000);
    }

    TEST_CASE("learned: another writer's adds and flips are picked up at publish") {
        Module m;
        BlackLists other(*m.env);  // stands in for `piotd import` in another process
        const std::vector<std::string> codes = kis(20, 4);
        add_learned(*m.env, other, {codes[0]});
        m.lists->publish();
        CHECK(m.lists->lookup_ki(codes[0]).learned_blocked);

        // Two flips between our publishes put the list back in the slot we knew: the stamp
        // each flip writes keeps us from trusting the old filter.
        load(other, ListName::learned, {codes[1]});
        load(other, ListName::learned, {codes[2], codes[3]});
        m.lists->publish();
        CHECK(m.lists->count(ListName::learned) == 2);
        CHECK_FALSE(m.lists->lookup_ki(codes[0]).learned_blocked);
        CHECK_FALSE(m.lists->lookup_ki(codes[1]).learned_blocked);
        CHECK(m.lists->lookup_ki(codes[2]).learned_blocked);
        CHECK(m.lists->lookup_ki(codes[3]).learned_blocked);
    }

    TEST_CASE("a data dir from before learned opens; learned starts empty and works") {
        Module m;
        const std::vector<std::string> cis = kis(30, 20);
        load(*m.lists, ListName::blocked_cis, cis);
        load(*m.lists, ListName::min_price, {"04601653035829 10000"});
        ModuleState state;
        state.inst = "old-inst";
        state.lists_loaded = true;
        state.loaded_ms[static_cast<std::size_t>(ListName::blocked_cis)] = 111;
        state.loaded_ms[static_cast<std::size_t>(ListName::min_price)] = 444;
        {
            WriteTxn txn(*m.env);
            write_module_state(txn, state);
            txn.commit();
        }
        const ListVersion cis_version = m.lists->version(ListName::blocked_cis);
        // Make it an old data dir: no learned databases, no learned keys in meta.
        {
            MDB_txn* txn = nullptr;
            REQUIRE(mdb_txn_begin(m.env->handle(), nullptr, 0, &txn) == 0);
            for (const Db db : {Db::learned_0, Db::learned_1, Db::changes_learned}) {
                REQUIRE(mdb_drop(txn, m.env->dbi(db), 1) == 0);
            }
            for (const std::string& key :
                 {epoch_key(ListName::learned), seq_key(ListName::learned),
                  oldest_key(ListName::learned), active_key(ListName::learned),
                  std::string("loaded/learned"), std::string(kLearnedStampKey)}) {
                MDB_val k{key.size(), const_cast<char*>(key.data())};
                const int rc = mdb_del(txn, m.env->dbi(Db::meta), &k, nullptr);
                REQUIRE((rc == 0 || rc == MDB_NOTFOUND));
            }
            REQUIRE(mdb_txn_commit(txn) == 0);
        }
        m.lists.reset();
        m.env.reset();
        {
            // Really gone: only a read-write open creates them again.
            EnvironmentOptions read_only = m.options;
            read_only.read_only = true;
            CHECK_THROWS_AS(Environment{read_only}, StorageError);
        }
        m.open();
        CHECK(m.lists->count(ListName::learned) == 0);
        CHECK_FALSE(m.lists->version(ListName::learned).epoch.empty());
        CHECK(m.lists->version(ListName::blocked_cis).epoch == cis_version.epoch);
        CHECK(m.lists->version(ListName::blocked_cis).seq == cis_version.seq);
        for (const std::string& ki : cis) CHECK(m.lists->lookup_ki(ki).cis_blocked);
        CHECK(m.lists->count(ListName::min_price) == 1);
        const ModuleState read = read_module_state(ReadTxn(*m.env));
        CHECK(read.inst == "old-inst");
        CHECK(read.lists_loaded);
        CHECK(read.loaded_ms[static_cast<std::size_t>(ListName::blocked_cis)] == 111);
        CHECK(read.loaded_ms[static_cast<std::size_t>(ListName::min_price)] == 444);
        CHECK(read.loaded_ms[static_cast<std::size_t>(ListName::learned)] == 0);

        const std::string learned = kis(31, 1)[0];
        add_learned(*m.env, *m.lists, {learned});
        m.lists->publish();
        CHECK(m.lists->lookup_ki(learned).learned_blocked);
        CHECK(m.lists->version(ListName::learned).seq == 1);
    }

    TEST_CASE("learned snapshots: streamed in key order, loaded from a source, changes applied") {
        Module m;
        std::vector<std::string> codes = kis(40, 5);
        load(*m.lists, ListName::learned, {codes[3], Codes::with_tail(codes[1]), codes[0]});
        std::vector<std::string> expected = {codes[0], codes[1], codes[3]};
        std::sort(expected.begin(), expected.end());
        CHECK(stream(*m.lists, ListName::learned) == expected);
        CHECK(m.lists->count(ListName::learned) == 3);
        CHECK(m.lists->lookup_ki(codes[1]).learned_blocked);

        // A till's sourced load of the same list, then a page of changes.
        Module till;
        SnapshotOptions options;
        options.source = SnapshotSource{"store-epoch", 7};
        options.batch_size = 2;
        {
            auto writer = till.lists->begin_snapshot(ListName::learned, options);
            for (const std::string& text : expected) writer.add(item(ListName::learned, text));
            writer.finish(
                ReplicationCursor{writer.progress().source_epoch, writer.progress().min_seq});
        }
        CHECK(till.lists->cursor(ListName::learned) == ReplicationCursor{"store-epoch", 7});
        CHECK(stream(*till.lists, ListName::learned) == expected);
        const ApplyResult applied =
            till.lists->apply_changes(ListName::learned,
                                      {{8, ChangeOp::add, codes[4]},
                                       {9, ChangeOp::remove, codes[0]},
                                       {10, ChangeOp::add, "04601662000016"}},
                                      {"store-epoch", 10});
        CHECK(applied.applied == 2);
        CHECK(applied.rejected == 1);
        CHECK(till.lists->lookup_ki(codes[4]).learned_blocked);
        CHECK_FALSE(till.lists->lookup_ki(codes[0]).learned_blocked);
        CHECK(till.lists->count(ListName::learned) == 3);
        // Flipped lists start a new epoch like every list.
        const std::string epoch = m.lists->version(ListName::learned).epoch;
        load(*m.lists, ListName::learned, {});
        CHECK(m.lists->version(ListName::learned).epoch != epoch);
        CHECK(m.lists->count(ListName::learned) == 0);
        CHECK_FALSE(m.lists->lookup_ki(codes[1]).learned_blocked);
    }
}
