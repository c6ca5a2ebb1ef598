// Replication snapshots (storage/snapshot_reader.hpp, storage/snapshot_writer.hpp): serving a
// list as a stream, and loading one resumably, kill -9 included, up to the flip with its cursor.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocol/documents/replication_feed.hpp"
#include "storage/black_lists.hpp"
#include "storage/environment.hpp"
#include "storage/list_slots.hpp"
#include "storage/snapshot_reader.hpp"
#include "storage/storage_error.hpp"
#include "storage/transaction.hpp"
#include "storage_test_support.hpp"

using namespace piotd::storage;
using piotd::storage::test::Codes;
using piotd::storage::test::kis;
using piotd::storage::test::Module;
using piotd::storage::test::TempDir;

namespace {

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
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

// Everything a reader streams from `after` on.
std::vector<std::string> stream(const BlackLists& lists, ListName list,
                                std::string_view after = {}) {
    SnapshotReader reader(lists, list, after);
    std::vector<std::string> out;
    for (std::string text; reader.next(text);) out.push_back(text);
    CHECK(reader.count() == out.size());
    std::string text = "untouched";
    CHECK_FALSE(reader.next(text));  // stays at the end
    CHECK(text == "untouched");
    return out;
}

std::size_t inactive_entries(const Environment& env, ListName list) {
    const ReadTxn txn(env);
    return txn.entries(slot_db(list, 1U - parse_slot(txn.get(Db::meta, active_key(list)))));
}

SnapshotOptions sourced(std::string epoch, std::uint64_t seq, std::size_t batch_size,
                        std::size_t expected = 0) {
    SnapshotOptions options;
    options.source = SnapshotSource{std::move(epoch), seq};
    options.batch_size = batch_size;
    options.expected_items = expected;
    return options;
}

}  // namespace

TEST_SUITE("storage.replication.snapshot") {
    TEST_CASE("SnapshotReader streams the active slot in key order and resumes after an item") {
        Module m;
        const std::vector<std::string> codes = kis(1, 500);
        std::vector<std::string> lines;
        for (std::size_t i = 0; i < codes.size(); ++i) {
            lines.push_back(i % 3 == 0 ? Codes::with_tail(codes[i]) : codes[i]);
        }
        load(*m.lists, ListName::blocked_cis, lines);
        const std::vector<std::string> expected = sorted(codes);

        {
            SnapshotReader reader(*m.lists, ListName::blocked_cis);
            const ListVersion v = m.lists->version(ListName::blocked_cis);
            CHECK(reader.header().epoch == v.epoch);
            CHECK(reader.header().seq == v.seq);
            CHECK(reader.header().doc_count == 500);
        }
        CHECK(stream(*m.lists, ListName::blocked_cis) == expected);

        // After an item: strictly after it, also when given with its crypto tail.
        std::vector<std::string> rest = stream(*m.lists, ListName::blocked_cis, expected[199]);
        CHECK(rest == std::vector<std::string>(expected.begin() + 200, expected.end()));
        CHECK(stream(*m.lists, ListName::blocked_cis, Codes::with_tail(expected[199])) == rest);
        CHECK(stream(*m.lists, ListName::blocked_cis, expected.back()).empty());
        // After an item the list no longer holds: from the next key on.
        {
            WriteTxn txn(*m.env);
            m.lists->remove(txn, ListName::blocked_cis, expected[199]);
            txn.commit();
        }
        CHECK(stream(*m.lists, ListName::blocked_cis, expected[199]) == rest);

        CHECK_THROWS_AS(SnapshotReader(*m.lists, ListName::blocked_cis, "garbage"),
                        std::invalid_argument);
        CHECK_THROWS_AS(SnapshotReader(*m.lists, ListName::blocked_gtin, "12"),
                        std::invalid_argument);
    }

    TEST_CASE("SnapshotReader: text forms, and one consistent transaction") {
        Module m;
        load(*m.lists, ListName::min_price, {"04601653035829 10000", "4601662000016 5"});
        load(*m.lists, ListName::blocked_series, {"04680029460908 5jcm", "04680029460908 A"});
        CHECK(stream(*m.lists, ListName::min_price) ==
              std::vector<std::string>{"04601653035829 10000", "04601662000016 5"});
        CHECK(stream(*m.lists, ListName::blocked_series) ==
              std::vector<std::string>{"04680029460908 5jcm", "04680029460908 A"});
        CHECK(stream(*m.lists, ListName::min_price, "04601653035829 1") ==
              std::vector<std::string>{"04601662000016 5"});
        CHECK(stream(*m.lists, ListName::blocked_gtin).empty());

        SnapshotReader reader(*m.lists, ListName::min_price);
        const ListVersion header = reader.header();
        {
            WriteTxn txn(*m.env);
            m.lists->add(txn, ListName::min_price, item(ListName::min_price, "04600000000017 1"));
            m.lists->remove(txn, ListName::min_price, "04601662000016");
            txn.commit();
        }
        load(*m.lists, ListName::min_price, {});  // even a flip does not disturb it
        SnapshotReader moved = std::move(reader);
        std::vector<std::string> seen;
        for (std::string text; moved.next(text);) seen.push_back(text);
        CHECK(seen == std::vector<std::string>{"04601653035829 10000", "04601662000016 5"});
        CHECK(moved.header().seq == header.seq);
        CHECK(m.lists->version(ListName::min_price).seq == header.seq + 2);
        CHECK(stream(*m.lists, ListName::min_price).empty());
    }

    TEST_CASE("a sourced load commits its progress with every batch, and survives a reopen") {
        Module m;
        const std::vector<std::string> old_list = kis(10, 30);
        load(*m.lists, ListName::blocked_cis, old_list);
        const std::vector<std::string> codes = sorted(kis(11, 25));
        {
            auto writer = m.lists->begin_snapshot(ListName::blocked_cis, sourced("E1", 7, 10));
            CHECK_FALSE(writer.resumed());
            for (const std::string& ki : codes) writer.add({ki, {}});
            CHECK(writer.added() == 25);
            CHECK(writer.progress() == SnapshotProgress{"E1", 7, codes[19], 20});
        }  // destroyed without finish(): the 5 buffered items are lost, as with kill -9
        for (int pass = 0; pass < 2; ++pass) {
            CHECK(m.lists->snapshot_progress(ListName::blocked_cis) ==
                  SnapshotProgress{"E1", 7, codes[19], 20});
            CHECK(inactive_entries(*m.env, ListName::blocked_cis) == 20);
            CHECK(m.lists->count(ListName::blocked_cis) == 30);  // checks still see the old list
            CHECK(m.lists->lookup_ki(old_list[3]).cis_blocked);
            CHECK_FALSE(m.lists->lookup_ki(codes[3]).cis_blocked);
            m.open();
        }
        CHECK_FALSE(m.lists->snapshot_progress(ListName::blocked_gtin).has_value());
    }

    TEST_CASE("kill -9 mid-load: the resumed load ends with exactly the upstream list") {
        // `up` serves, `till` loads: the whole client side of docs/replication.md.
        Module up;
        Module till;
        const std::vector<std::string> codes = kis(20, 1000);
        load(*up.lists, ListName::blocked_cis, codes);
        load(*till.lists, ListName::blocked_cis, kis(21, 40));  // an old list to replace

        std::string epoch;
        std::uint64_t first_seq = 0;
        {
            SnapshotReader reader(*up.lists, ListName::blocked_cis);
            epoch = reader.header().epoch;
            first_seq = reader.header().seq;
            auto writer = till.lists->begin_snapshot(ListName::blocked_cis,
                                                     sourced(epoch, first_seq, 64, 1000));
            std::string text;
            for (int i = 0; i < 300 && reader.next(text); ++i) {
                writer.add(item(ListName::blocked_cis, text));
            }
        }  // the connection drops and the process dies: 4 batches of 64 were committed
        till.open();

        // Upstream changes meanwhile: before and after the point where the load stopped.
        const std::vector<std::string> upstream_sorted = sorted(codes);
        const std::vector<std::string> extra = kis(22, 5);
        {
            WriteTxn txn(*up.env);
            for (const std::string& ki : extra) up.lists->add(txn, ListName::blocked_cis, {ki, {}});
            up.lists->remove(txn, ListName::blocked_cis, upstream_sorted[10]);   // committed
            up.lists->remove(txn, ListName::blocked_cis, upstream_sorted[900]);  // not yet
            txn.commit();
        }

        const auto progress = till.lists->snapshot_progress(ListName::blocked_cis);
        REQUIRE(progress.has_value());
        CHECK(progress->count == 256);
        CHECK(progress->last_item == upstream_sorted[255]);
        CHECK(progress->min_seq == first_seq);
        {
            SnapshotReader reader(*up.lists, ListName::blocked_cis, progress->last_item);
            REQUIRE(reader.header().epoch == epoch);
            CHECK(reader.header().seq > first_seq);
            auto writer = till.lists->begin_snapshot(ListName::blocked_cis,
                                                     sourced(epoch, reader.header().seq, 64, 1000));
            CHECK(writer.resumed());
            CHECK(writer.progress().min_seq == first_seq);  // the smallest seq seen
            for (std::string text; reader.next(text);) {
                writer.add(item(ListName::blocked_cis, text));
            }
            writer.finish({{epoch, writer.progress().min_seq}});
        }
        CHECK_FALSE(till.lists->snapshot_progress(ListName::blocked_cis).has_value());
        const auto cursor = till.lists->cursor(ListName::blocked_cis);
        REQUIRE(cursor.has_value());
        CHECK(*cursor == ReplicationCursor{epoch, first_seq});

        // Straight after the flip the till may hold changes past its cursor (the resumed part is
        // newer); replaying the log from the cursor makes it exactly the upstream list.
        const ChangeRead read =
            up.lists->changes_since(ListName::blocked_cis, cursor->epoch, cursor->seq, 10'000);
        REQUIRE_FALSE(read.snapshot_required);
        CHECK(read.changes.size() == 7);
        till.lists->apply_changes(ListName::blocked_cis, read.changes,
                                  {cursor->epoch, read.version.seq});
        CHECK(stream(*till.lists, ListName::blocked_cis) ==
              stream(*up.lists, ListName::blocked_cis));
        CHECK(till.lists->count(ListName::blocked_cis) == 1000 + 5 - 2);
        for (const std::string& ki : stream(*up.lists, ListName::blocked_cis)) {
            CHECK(till.lists->lookup_ki(ki).cis_blocked);  // the filter covers resumed keys
        }
        CHECK_FALSE(till.lists->lookup_ki(upstream_sorted[10]).cis_blocked);
        till.open();
        CHECK(till.lists->cursor(ListName::blocked_cis) ==
              ReplicationCursor{epoch, read.version.seq});
        CHECK(till.lists->lookup_ki(extra[0]).cis_blocked);
    }

    TEST_CASE("another source epoch, or a writer without a source, starts from an empty slot") {
        Module m;
        const std::vector<std::string> first = sorted(kis(30, 12));
        const std::vector<std::string> second = sorted(kis(31, 3));
        {
            auto writer = m.lists->begin_snapshot(ListName::blocked_cis, sourced("E1", 5, 4));
            for (const std::string& ki : first) writer.add({ki, {}});
        }
        REQUIRE(inactive_entries(*m.env, ListName::blocked_cis) == 12);

        SUBCASE("another epoch") {
            auto writer = m.lists->begin_snapshot(ListName::blocked_cis, sourced("E2", 9, 4));
            CHECK_FALSE(writer.resumed());
            CHECK(writer.progress() == SnapshotProgress{"E2", 9, "", 0});
            for (const std::string& ki : second) writer.add({ki, {}});
            writer.finish({{"E2", 9}});
            CHECK(m.lists->cursor(ListName::blocked_cis) == ReplicationCursor{"E2", 9});
        }
        SUBCASE("no source (an import)") {
            auto writer = m.lists->begin_snapshot(ListName::blocked_cis);
            for (const std::string& ki : second) writer.add({ki, {}});
            writer.finish();
            CHECK_FALSE(m.lists->cursor(ListName::blocked_cis).has_value());
        }
        SUBCASE("no source, abandoned: the progress goes with the slot it described") {
            {
                SnapshotOptions options;
                options.batch_size = 2;
                auto writer = m.lists->begin_snapshot(ListName::blocked_cis, options);
                for (const std::string& ki : second) writer.add({ki, {}});
            }
            CHECK_FALSE(m.lists->snapshot_progress(ListName::blocked_cis).has_value());
            CHECK(inactive_entries(*m.env, ListName::blocked_cis) == 2);
            auto writer = m.lists->begin_snapshot(ListName::blocked_cis, sourced("E1", 5, 4));
            CHECK_FALSE(writer.resumed());
            for (const std::string& ki : second) writer.add({ki, {}});
            writer.finish();
        }
        CHECK_FALSE(m.lists->snapshot_progress(ListName::blocked_cis).has_value());
        CHECK(stream(*m.lists, ListName::blocked_cis) == second);
        CHECK(m.lists->count(ListName::blocked_cis) == 3);
    }

    TEST_CASE("a resumed writer refuses a slot another writer took over") {
        Module m;
        const std::vector<std::string> codes = sorted(kis(40, 6));
        {
            auto writer = m.lists->begin_snapshot(ListName::blocked_gtin, sourced("E1", 1, 2));
            writer.add(item(ListName::blocked_gtin, "04601662000016"));
            writer.add(item(ListName::blocked_gtin, "04601662000023"));
        }
        auto resumed = m.lists->begin_snapshot(ListName::blocked_gtin, sourced("E1", 2, 2));
        REQUIRE(resumed.resumed());
        {
            SnapshotOptions options;
            options.batch_size = 1;
            auto other = m.lists->begin_snapshot(ListName::blocked_gtin, options);
            other.add(item(ListName::blocked_gtin, "04600000000017"));
        }  // cleared the slot and dropped the progress
        resumed.add(item(ListName::blocked_gtin, "04601662000030"));
        CHECK_THROWS_AS(resumed.finish(), StorageError);
        CHECK(m.lists->count(ListName::blocked_gtin) == 0);
    }
}
