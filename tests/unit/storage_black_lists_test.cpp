// Black lists and the sold set (storage/black_lists.hpp): snapshots, deltas, the filters and
// their persistence, and what readers see while writers work.
#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "protocol/codes/marking_code.hpp"
#include "storage/black_lists.hpp"
#include "storage/environment.hpp"
#include "storage/list_slots.hpp"
#include "storage/storage_error.hpp"
#include "storage/transaction.hpp"
#include "storage_test_support.hpp"

using namespace piotd::storage;
using piotd::storage::test::Codes;
using piotd::storage::test::kis;
using piotd::storage::test::Module;
using piotd::storage::test::TempDir;

namespace {

constexpr std::string_view kGtin = "04601662000016";
constexpr std::string_view kSeriesGtin = "04680029460908";
constexpr std::string_view kPriceGtin = "04601653035829";

CodeStatus check(const BlackLists& lists, std::string_view scanned) {
    const piotd::protocol::ParseResult parsed = piotd::protocol::parse_marking_code(scanned);
    INFO("code: " << scanned);
    REQUIRE(parsed);
    return lists.lookup(parsed.code);
}

bool blocked(const BlackLists& lists, std::string_view scanned) {
    return check(lists, scanned).cis_blocked;
}

void load(BlackLists& lists, ListName list, const std::vector<std::string>& lines,
          std::size_t expected = 0) {
    auto writer = lists.begin_snapshot(list, expected);
    for (const std::string& line : lines) {
        const ListItemParse parsed = parse_list_item(list, line);
        INFO("line: " << line << " " << parsed.error);
        REQUIRE(parsed.ok);
        writer.add(parsed.item);
    }
    writer.finish();
}

std::string meta(const Environment& env, std::string_view key) {
    const ReadTxn txn(env);
    const auto value = txn.get(Db::meta, key);
    return value ? std::string(*value) : std::string();
}

// True when the persisted blocked_cis filter of the active slot carries the current stamp.
bool persisted_filter_current(const Environment& env) {
    const unsigned slot = parse_slot(ReadTxn(env).get(Db::meta, active_key(ListName::blocked_cis)));
    const auto stored = decode_stamped_filter(meta(env, filter_key(ListName::blocked_cis, slot)));
    return stored && stored->stamp == parse_stamp(meta(env, kCisStampKey));
}

}  // namespace

TEST_SUITE("storage.black_lists") {
    TEST_CASE("an empty module blocks nothing") {
        Module m;
        const CodeStatus status = check(*m.lists, Codes(1).ki());
        CHECK_FALSE(status.blocked());
        CHECK_FALSE(status.sold);
        CHECK_FALSE(status.min_price.has_value());
        for (const ListName list : kAllLists) CHECK(m.lists->count(list) == 0);
        CHECK(m.lists->sold_count() == 0);
    }

    TEST_CASE("snapshot load and lookup in every list") {
        Module m;
        const std::vector<std::string> listed = kis(10, 100);
        std::vector<std::string> lines;
        for (std::size_t i = 0; i < listed.size(); ++i) {
            lines.push_back(i % 2 == 0 ? listed[i] : Codes::with_tail(listed[i]));
        }
        load(*m.lists, ListName::blocked_cis, lines);
        load(*m.lists, ListName::blocked_gtin, {std::string(kGtin), "4610053149777"});
        load(*m.lists, ListName::blocked_series, {std::string(kSeriesGtin) + " 5jcm"});
        load(*m.lists, ListName::min_price, {std::string(kPriceGtin) + " 10000"});

        CHECK(m.lists->count(ListName::blocked_cis) == 100);
        CHECK(m.lists->count(ListName::blocked_gtin) == 2);
        CHECK(m.lists->count(ListName::blocked_series) == 1);
        CHECK(m.lists->count(ListName::min_price) == 1);

        for (const std::string& ki : listed) {
            CHECK(blocked(*m.lists, ki));
            CHECK(blocked(*m.lists, Codes::with_tail(ki)));
            CHECK(m.lists->lookup_ki(ki).cis_blocked);
        }
        for (const std::string& ki : kis(11, 1000)) {
            const CodeStatus status = check(*m.lists, ki);
            CHECK_FALSE(status.blocked());
            CHECK_FALSE(m.lists->lookup_ki(ki).blocked());
        }

        Codes codes(12);
        const CodeStatus gtin = check(*m.lists, codes.ki_for(kGtin));
        CHECK(gtin.gtin_blocked);
        CHECK_FALSE(gtin.cis_blocked);
        CHECK(gtin.blocked());
        CHECK(check(*m.lists, codes.ki_for("04610053149777")).gtin_blocked);  // padded on load

        CHECK(check(*m.lists, codes.ki_for(kSeriesGtin, "5jcm")).series_blocked);
        CHECK(check(*m.lists, Codes::with_tail(codes.ki_for(kSeriesGtin, "5jcmA"))).series_blocked);
        CHECK_FALSE(check(*m.lists, codes.ki_for(kSeriesGtin, "5jcX")).series_blocked);
        CHECK_FALSE(check(*m.lists, codes.ki_for(kSeriesGtin, "A5jcm")).series_blocked);
        CHECK_FALSE(check(*m.lists, codes.ki_for(kPriceGtin, "5jcm")).series_blocked);

        const CodeStatus priced = check(*m.lists, codes.ki_for(kPriceGtin));
        CHECK(priced.min_price == std::optional<std::uint32_t>(10000));
        CHECK_FALSE(priced.blocked());
        CHECK_FALSE(check(*m.lists, codes.ki_for(kGtin)).min_price.has_value());
        CHECK(m.lists->lookup_ki(codes.ki_for(kPriceGtin)).min_price == 10000U);

        // A key that is not a parseable code is still looked up verbatim.
        CHECK_FALSE(m.lists->lookup_ki("not a code").blocked());
        CHECK_FALSE(m.lists->lookup_ki("").blocked());
    }

    TEST_CASE("a snapshot replaces the list atomically") {
        Module m;
        const std::vector<std::string> old_list = kis(20, 1000);
        const std::vector<std::string> new_list = kis(21, SnapshotWriter::kBatchSize + 10'000);
        load(*m.lists, ListName::blocked_cis, old_list);
        const unsigned old_slot =
            parse_slot(ReadTxn(*m.env).get(Db::meta, active_key(ListName::blocked_cis)));
        {
            auto writer = m.lists->begin_snapshot(ListName::blocked_cis, new_list.size());
            for (const std::string& ki : new_list) writer.add({ki, {}});
            CHECK(writer.added() == new_list.size());
            // One batch is committed into the inactive slot and one is buffered: checks still
            // answer from the old list only, and other writers are not locked out meanwhile.
            CHECK(ReadTxn(*m.env).entries(slot_db(ListName::blocked_cis, 1 - old_slot)) ==
                  SnapshotWriter::kBatchSize);
            CHECK(m.lists->count(ListName::blocked_cis) == old_list.size());
            CHECK(blocked(*m.lists, old_list.front()));
            CHECK(blocked(*m.lists, old_list.back()));
            CHECK_FALSE(blocked(*m.lists, new_list.front()));
            CHECK_FALSE(blocked(*m.lists, new_list.back()));
            {
                WriteTxn txn(*m.env);
                m.lists->mark_sold(txn, new_list.back());
                txn.commit();
            }
            writer.finish();
        }
        CHECK(m.lists->count(ListName::blocked_cis) == new_list.size());
        for (std::size_t i = 0; i < new_list.size(); i += 997)
            CHECK(blocked(*m.lists, new_list[i]));
        for (const std::string& ki : old_list) CHECK_FALSE(blocked(*m.lists, ki));
        CHECK(persisted_filter_current(*m.env));
        // The old slot's filter is gone with the old list.
        CHECK(meta(*m.env, filter_key(ListName::blocked_cis, old_slot)).empty());
        CHECK(check(*m.lists, new_list.back()).sold);  // the sale made meanwhile went through
    }

    TEST_CASE("an abandoned snapshot leaves the old list, also after a restart") {
        Module m;
        const std::vector<std::string> old_list = kis(30, 500);
        const std::vector<std::string> partial = kis(31, SnapshotWriter::kBatchSize + 5);
        load(*m.lists, ListName::blocked_cis, old_list);
        load(*m.lists, ListName::blocked_gtin, {std::string(kGtin)});
        {
            auto writer = m.lists->begin_snapshot(ListName::blocked_cis);
            for (const std::string& ki : partial) writer.add({ki, {}});
        }  // destroyed without finish(), as when a download breaks off
        {
            auto gtins = m.lists->begin_snapshot(ListName::blocked_gtin);
            gtins.add({"04600000000017", {}});
        }  // destroyed without finish(), as when a download breaks off
        Codes codes(32);
        for (int pass = 0; pass < 2; ++pass) {
            CHECK(m.lists->count(ListName::blocked_cis) == old_list.size());
            CHECK(blocked(*m.lists, old_list[7]));
            CHECK_FALSE(blocked(*m.lists, partial[7]));
            CHECK(check(*m.lists, codes.ki_for(kGtin)).gtin_blocked);
            CHECK_FALSE(check(*m.lists, codes.ki_for("04600000000017")).gtin_blocked);
            m.open();
        }
        // The next snapshot starts from an empty slot, not on top of the partial one.
        load(*m.lists, ListName::blocked_cis, {partial[0]});
        CHECK(m.lists->count(ListName::blocked_cis) == 1);
        CHECK(blocked(*m.lists, partial[0]));
        CHECK_FALSE(blocked(*m.lists, partial[1]));
        CHECK_FALSE(blocked(*m.lists, old_list[0]));
    }

    TEST_CASE("snapshots alternate slots and an empty snapshot empties the list") {
        Module m;
        for (unsigned round = 0; round < 3; ++round) {
            const std::vector<std::string> list = kis(40 + round, 50);
            load(*m.lists, ListName::blocked_cis, list, list.size());
            CHECK(meta(*m.env, active_key(ListName::blocked_cis)) == (round % 2 == 0 ? "1" : "0"));
            CHECK(blocked(*m.lists, list[3]));
        }
        load(*m.lists, ListName::blocked_cis, {});
        CHECK(m.lists->count(ListName::blocked_cis) == 0);
        CHECK_FALSE(blocked(*m.lists, kis(42, 1)[0]));
    }

    TEST_CASE("reopen keeps the lists and uses the persisted filter") {
        Module m;
        const std::vector<std::string> list = kis(50, 5000);
        load(*m.lists, ListName::blocked_cis, list, list.size());
        load(*m.lists, ListName::min_price, {std::string(kPriceGtin) + " 1"});
        CHECK(persisted_filter_current(*m.env));
        const std::string blob = meta(*m.env, filter_key(ListName::blocked_cis, 1));
        m.open();
        for (const std::string& ki : list) CHECK(blocked(*m.lists, ki));
        CHECK(m.lists->count(ListName::blocked_cis) == list.size());
        CHECK(check(*m.lists, Codes(51).ki_for(kPriceGtin)).min_price == 1U);
        // Taken as it was: not rebuilt, not rewritten.
        CHECK(meta(*m.env, filter_key(ListName::blocked_cis, 1)) == blob);
    }

    TEST_CASE("deltas: add and remove inside the caller's transaction") {
        Module m;
        const std::vector<std::string> list = kis(60, 100);
        load(*m.lists, ListName::blocked_cis, list);
        const std::string added = kis(61, 1)[0];
        Codes codes(62);
        {
            WriteTxn txn(*m.env);
            m.lists->add(txn, ListName::blocked_cis, {added, {}});
            m.lists->add(txn, ListName::blocked_gtin,
                         parse_list_item(ListName::blocked_gtin, kGtin).item);
            m.lists->add(
                txn, ListName::blocked_series,
                parse_list_item(ListName::blocked_series, std::string(kSeriesGtin) + " AB").item);
            m.lists->add(
                txn, ListName::min_price,
                parse_list_item(ListName::min_price, std::string(kPriceGtin) + " 777").item);
            CHECK_FALSE(blocked(*m.lists, added));  // not committed yet
            txn.commit();
        }
        // The filter bits were set before the commit, so the key is found even before publish().
        CHECK(blocked(*m.lists, added));
        CHECK_FALSE(check(*m.lists, codes.ki_for(kGtin)).gtin_blocked);  // small lists: at publish
        m.lists->publish();
        CHECK(m.lists->count(ListName::blocked_cis) == 101);
        CHECK(check(*m.lists, codes.ki_for(kGtin)).gtin_blocked);
        CHECK(check(*m.lists, codes.ki_for(kSeriesGtin, "ABC")).series_blocked);
        CHECK(check(*m.lists, codes.ki_for(kPriceGtin)).min_price == 777U);
        // Deltas go to the active slot (slot 1 after the first snapshot).
        CHECK(ReadTxn(*m.env).entries(slot_db(ListName::blocked_cis, 1)) == 101);

        {
            WriteTxn txn(*m.env);
            CHECK(m.lists->remove(txn, ListName::blocked_cis, added));
            CHECK(m.lists->remove(txn, ListName::blocked_cis, list[0]));
            CHECK_FALSE(m.lists->remove(txn, ListName::blocked_cis, "0104600000000000215nothing"));
            CHECK(m.lists->remove(txn, ListName::blocked_gtin, kGtin));
            txn.commit();
        }
        CHECK_FALSE(blocked(*m.lists, added));  // LMDB has the last word over the filter
        CHECK_FALSE(blocked(*m.lists, list[0]));
        m.lists->publish();
        CHECK(m.lists->count(ListName::blocked_cis) == 99);
        CHECK_FALSE(check(*m.lists, codes.ki_for(kGtin)).gtin_blocked);

        // An aborted addition leaves nothing behind.
        const std::string aborted = kis(63, 1)[0];
        {
            WriteTxn txn(*m.env);
            m.lists->add(txn, ListName::blocked_cis, {aborted, {}});
        }
        m.lists->publish();
        CHECK_FALSE(blocked(*m.lists, aborted));
        CHECK(m.lists->count(ListName::blocked_cis) == 99);
    }

    TEST_CASE("publish() while a writer's transaction is open") {
        Module m;
        load(*m.lists, ListName::blocked_cis, kis(65, 10));
        const std::vector<std::string> added = kis(66, 3);
        {
            WriteTxn txn(*m.env);
            m.lists->add(txn, ListName::blocked_cis, {added[0], {}});
            m.lists->publish();  // e.g. the daemon's refresh on another thread
            m.lists->add(txn, ListName::blocked_cis, {added[1], {}});
            txn.commit();
        }
        m.lists->publish();
        CHECK(blocked(*m.lists, added[0]));
        CHECK(blocked(*m.lists, added[1]));
        {
            WriteTxn txn(*m.env);
            m.lists->add(txn, ListName::blocked_cis, {added[2], {}});
            txn.commit();
        }
        m.lists->publish();
        CHECK(blocked(*m.lists, added[2]));
        m.lists->persist_filter();
        m.open();
        for (const std::string& ki : added) CHECK(blocked(*m.lists, ki));
    }

    TEST_CASE("sold: mark, accumulate partial sales, unmark") {
        Module m;
        const std::vector<std::string> sold = kis(70, 3);
        {
            WriteTxn txn(*m.env);
            m.lists->mark_sold(txn, sold[0], 0, 1000);
            m.lists->mark_sold(txn, sold[1], 2, 1001);
            m.lists->mark_sold(txn, sold[1], 3, 1002);
            m.lists->mark_sold(txn, sold[2], 4, 1003);
            m.lists->mark_sold(txn, sold[2], 0, 1004);
            txn.commit();
        }
        CHECK(check(*m.lists, sold[0]).sold);  // before publish, as for blocked_cis
        m.lists->publish();
        CHECK(m.lists->sold_count() == 3);
        CHECK(m.lists->sold_record(sold[0]) == SoldRecord{0, 1000});
        CHECK(m.lists->sold_record(sold[1]) == SoldRecord{5, 1002});
        CHECK(m.lists->sold_record(sold[2]) == SoldRecord{0, 1004});  // whole once sold whole
        CHECK_FALSE(m.lists->sold_record(kis(71, 1)[0]).has_value());
        const CodeStatus status = check(*m.lists, Codes::with_tail(sold[1]));
        CHECK(status.sold);
        CHECK_FALSE(status.blocked());
        CHECK_FALSE(check(*m.lists, kis(71, 1)[0]).sold);

        {
            WriteTxn txn(*m.env);
            CHECK(m.lists->unmark_sold(txn, sold[0]));
            CHECK_FALSE(m.lists->unmark_sold(txn, sold[0]));
            m.lists->mark_sold(txn, kis(72, 1)[0]);  // now, whole unit
            txn.commit();
        }
        m.lists->publish();
        CHECK_FALSE(check(*m.lists, sold[0]).sold);
        CHECK(m.lists->sold_count() == 3);
        const auto now_record = m.lists->sold_record(kis(72, 1)[0]);
        REQUIRE(now_record);
        CHECK(now_record->units == 0);
        CHECK(now_record->time_ms > 1'600'000'000'000);

        m.open();  // the sold filter is rebuilt from LMDB
        CHECK(check(*m.lists, sold[1]).sold);
        CHECK(check(*m.lists, kis(72, 1)[0]).sold);
        CHECK_FALSE(check(*m.lists, sold[0]).sold);
        CHECK(m.lists->sold_count() == 3);
    }

    TEST_CASE("a missing, corrupt or stale persisted filter is rebuilt on open") {
        Module m;
        const std::vector<std::string> list = kis(80, 3000);
        load(*m.lists, ListName::blocked_cis, list, list.size());
        const std::string key = filter_key(ListName::blocked_cis, 1);
        std::vector<std::string> expected = list;

        SUBCASE("missing") {
            WriteTxn txn(*m.env);
            txn.del(Db::meta, key);
            txn.commit();
        }
        SUBCASE("corrupt") {
            WriteTxn txn(*m.env);
            std::string blob = meta(*m.env, key);
            blob.resize(blob.size() / 2);
            txn.put(Db::meta, key, blob);
            txn.commit();
        }
        SUBCASE("stale: killed after an addition committed") {
            const std::string added = kis(81, 1)[0];
            WriteTxn txn(*m.env);
            m.lists->add(txn, ListName::blocked_cis, {added, {}});
            txn.commit();
            expected.push_back(added);
            // Nothing else runs before the "kill": the filter in meta predates the addition.
            CHECK_FALSE(persisted_filter_current(*m.env));
        }
        SUBCASE("stale: a filter of an older list under a valid header") {
            KeyFilter empty(list.size());
            WriteTxn txn(*m.env);
            txn.put(Db::meta, key, encode_stamped_filter(new_stamp(), empty));
            txn.commit();
        }
        m.open();
        for (const std::string& ki : expected) CHECK(blocked(*m.lists, ki));
        CHECK(m.lists->count(ListName::blocked_cis) == expected.size());
        // The rebuilt filter was persisted, so the next open needs no scan.
        CHECK(persisted_filter_current(*m.env));
    }

    TEST_CASE("persist_filter() writes the filter after deltas") {
        Module m;
        load(*m.lists, ListName::blocked_cis, kis(90, 100));
        const std::vector<std::string> added = kis(91, 50);
        {
            WriteTxn txn(*m.env);
            for (const std::string& ki : added) m.lists->add(txn, ListName::blocked_cis, {ki, {}});
            txn.commit();
        }
        m.lists->publish();
        CHECK_FALSE(persisted_filter_current(*m.env));
        m.lists->persist_filter();
        CHECK(persisted_filter_current(*m.env));
        const std::string blob = meta(*m.env, filter_key(ListName::blocked_cis, 1));
        m.lists->persist_filter();  // already current: no write
        m.open();
        CHECK(meta(*m.env, filter_key(ListName::blocked_cis, 1)) == blob);
        for (const std::string& ki : added) CHECK(blocked(*m.lists, ki));
    }

    TEST_CASE("the filter grows when deltas outgrow it") {
        Module m;
        load(*m.lists, ListName::blocked_cis, kis(100, 10));  // filter sized for 1024 keys
        const std::vector<std::string> added = kis(101, 4000);
        for (std::size_t i = 0; i < added.size(); i += 250) {
            WriteTxn txn(*m.env);
            for (std::size_t j = i; j < i + 250; ++j)
                m.lists->add(txn, ListName::blocked_cis, {added[j], {}});
            txn.commit();
            m.lists->publish();
        }
        for (const std::string& ki : added) CHECK(blocked(*m.lists, ki));
        m.open();
        for (const std::string& ki : added) CHECK(blocked(*m.lists, ki));
        CHECK(m.lists->count(ListName::blocked_cis) == 4010);
    }

    TEST_CASE("changes by another writer of the same environment are picked up at publish") {
        Module m;
        load(*m.lists, ListName::blocked_cis, kis(110, 100));
        BlackLists other(*m.env);  // stands in for `piotd import` in another process
        const std::string foreign = kis(111, 1)[0];
        const std::string own = kis(112, 1)[0];
        {
            WriteTxn txn(*m.env);
            other.add(txn, ListName::blocked_cis, {foreign, {}});
            txn.commit();
        }
        {
            // Our own addition right after the foreign one: our filter must not claim to
            // cover the foreign key just because it covers our own.
            WriteTxn txn(*m.env);
            m.lists->add(txn, ListName::blocked_cis, {own, {}});
            txn.commit();
        }
        m.lists->publish();
        CHECK(blocked(*m.lists, foreign));
        CHECK(blocked(*m.lists, own));

        const std::vector<std::string> replaced = kis(113, 20);
        load(other, ListName::blocked_cis, replaced);
        m.lists->publish();
        CHECK(blocked(*m.lists, replaced[5]));
        CHECK_FALSE(blocked(*m.lists, foreign));
        CHECK(m.lists->count(ListName::blocked_cis) == 20);
    }

    TEST_CASE("a snapshot writer refuses a slot another writer flipped") {
        Module m;
        BlackLists other(*m.env);
        auto writer = m.lists->begin_snapshot(ListName::blocked_cis);
        load(other, ListName::blocked_cis, kis(120, 10));
        writer.add({kis(121, 1)[0], {}});  // buffered: the check comes with the batch write
        CHECK_THROWS_AS(writer.finish(), StorageError);
        CHECK_THROWS_AS(writer.add({kis(121, 1)[0], {}}), StorageError);  // broken for good
        m.lists->publish();
        CHECK(blocked(*m.lists, kis(120, 10)[4]));
    }

    TEST_CASE("instances on different environments in one thread stay apart") {
        Module a;
        Module b;
        const std::vector<std::string> list_a = kis(130, 10);
        const std::vector<std::string> list_b = kis(131, 10);
        load(*a.lists, ListName::blocked_cis, list_a);
        load(*b.lists, ListName::blocked_cis, list_b);
        for (int i = 0; i < 10; ++i) {
            CHECK(blocked(*a.lists, list_a[static_cast<std::size_t>(i)]));
            CHECK_FALSE(blocked(*a.lists, list_b[static_cast<std::size_t>(i)]));
            CHECK(blocked(*b.lists, list_b[static_cast<std::size_t>(i)]));
            CHECK_FALSE(blocked(*b.lists, list_a[static_cast<std::size_t>(i)]));
        }
        // A new instance at a recycled address must not inherit a thread's cache.
        b.open();
        CHECK(blocked(*b.lists, list_b[0]));
        CHECK_FALSE(blocked(*b.lists, list_a[0]));
    }

    TEST_CASE("readers never miss a listed code while writers replace and extend the list") {
        Module m;
        const std::vector<std::string> always = kis(140, 200);
        load(*m.lists, ListName::blocked_cis, always);
        std::atomic<bool> stop{false};
        std::atomic<std::size_t> misses{0};
        std::atomic<std::size_t> checks{0};
        std::vector<std::thread> readers;
        for (int t = 0; t < 3; ++t) {
            readers.emplace_back([&] {
                std::vector<piotd::protocol::MarkingCode> codes;
                for (const std::string& ki : always)
                    codes.push_back(piotd::protocol::parse_marking_code(ki).code);
                while (!stop.load()) {
                    for (const auto& code : codes) misses += !m.lists->lookup(code).cis_blocked;
                    checks += codes.size();
                }
            });
        }
        Codes extra(141);
        for (int round = 0; round < 6; ++round) {
            std::vector<std::string> next = always;
            for (int i = 0; i < 500; ++i) next.push_back(extra.ki());
            load(*m.lists, ListName::blocked_cis, next);
            WriteTxn txn(*m.env);
            for (int i = 0; i < 100; ++i)
                m.lists->add(txn, ListName::blocked_cis, {extra.ki(), {}});
            txn.commit();
            m.lists->publish();
        }
        stop = true;
        for (std::thread& t : readers) t.join();
        CHECK(checks.load() > 0);
        CHECK(misses.load() == 0);
    }

    TEST_CASE("a read-only open rebuilds a stale filter in memory without writing") {
        Module m;
        const std::vector<std::string> list = kis(150, 100);
        load(*m.lists, ListName::blocked_cis, list);
        const std::string added = kis(151, 1)[0];
        {
            WriteTxn txn(*m.env);
            m.lists->add(txn, ListName::blocked_cis, {added, {}});
            txn.commit();
        }
        m.lists.reset();
        m.env.reset();
        m.options.read_only = true;
        m.open();
        CHECK(blocked(*m.lists, added));
        CHECK(blocked(*m.lists, list[0]));
        CHECK_FALSE(persisted_filter_current(*m.env));
        m.lists->persist_filter();  // a no-op when read-only
    }
}
