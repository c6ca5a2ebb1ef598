// Replication, serving side and deltas (storage/change_log.hpp, BlackLists::version(),
// changes_since(), apply_changes()): the change log, its epochs, pages and pruning.
#include <doctest/doctest.h>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocol/documents/replication_feed.hpp"
#include "storage/black_lists.hpp"
#include "storage/change_log.hpp"
#include "storage/environment.hpp"
#include "storage/list_import.hpp"
#include "storage/transaction.hpp"
#include "storage_test_support.hpp"

using namespace piotd::storage;
using piotd::protocol::Change;
using piotd::protocol::ChangeOp;
using piotd::storage::test::Codes;
using piotd::storage::test::kis;
using piotd::storage::test::Module;
using piotd::storage::test::TempDir;

namespace {

constexpr std::string_view kPriceGtin = "04601653035829";

ListItem item(ListName list, std::string_view text) {
    const ListItemParse parsed = parse_list_item(list, text);
    INFO("item: " << text << " " << parsed.error);
    REQUIRE(parsed.ok);
    return parsed.item;
}

void add_all(Module& m, ListName list, const std::vector<std::string>& texts) {
    WriteTxn txn(*m.env);
    for (const std::string& text : texts) m.lists->add(txn, list, item(list, text));
    txn.commit();
    m.lists->publish();
}

void load(BlackLists& lists, ListName list, const std::vector<std::string>& texts) {
    auto writer = lists.begin_snapshot(list);
    for (const std::string& text : texts) writer.add(item(list, text));
    writer.finish();
}

std::vector<Change> all_changes(const BlackLists& lists, ListName list) {
    const ListVersion v = lists.version(list);
    const ChangeRead read = lists.changes_since(list, v.epoch, v.oldest - 1, 1'000'000);
    REQUIRE_FALSE(read.snapshot_required);
    CHECK_FALSE(read.more);
    return read.changes;
}

std::size_t log_entries(const Environment& env, ListName list) {
    return ReadTxn(env).entries(change_db(list));
}

}  // namespace

TEST_SUITE("storage.replication.log") {
    TEST_CASE("every list has an epoch from the first open, kept across reopens") {
        Module m;
        for (const ListName list : kAllLists) {
            const ListVersion v = m.lists->version(list);
            CHECK(v.epoch.size() == 36);
            CHECK(v.seq == 0);
            CHECK(v.oldest == 1);
            CHECK(v.doc_count == 0);
            const ChangeRead read = m.lists->changes_since(list, v.epoch, 0, 10);
            CHECK_FALSE(read.snapshot_required);
            CHECK(read.changes.empty());
            CHECK_FALSE(read.more);
        }
        const std::string epoch = m.lists->version(ListName::blocked_cis).epoch;
        CHECK(epoch != m.lists->version(ListName::blocked_gtin).epoch);
        m.open();
        CHECK(m.lists->version(ListName::blocked_cis).epoch == epoch);
    }

    TEST_CASE("effective adds and removes are logged with consecutive seqs") {
        Module m;
        const std::vector<std::string> codes = kis(1, 3);
        const std::string price = std::string(kPriceGtin) + " 10000";
        const std::string repriced = std::string(kPriceGtin) + " 12000";
        {
            WriteTxn txn(*m.env);
            for (const std::string& ki : codes) {
                CHECK(m.lists->add(txn, ListName::blocked_cis, item(ListName::blocked_cis, ki)));
            }
            // Already there: not written, not logged.
            CHECK_FALSE(
                m.lists->add(txn, ListName::blocked_cis, item(ListName::blocked_cis, codes[1])));
            CHECK(m.lists->remove(txn, ListName::blocked_cis, codes[0]));
            CHECK_FALSE(m.lists->remove(txn, ListName::blocked_cis, codes[0]));  // missing
            CHECK(m.lists->add(txn, ListName::min_price, item(ListName::min_price, price)));
            CHECK_FALSE(m.lists->add(txn, ListName::min_price, item(ListName::min_price, price)));
            // Another value for the same GTIN is a change.
            CHECK(m.lists->add(txn, ListName::min_price, item(ListName::min_price, repriced)));
            CHECK(m.lists->remove(txn, ListName::min_price, kPriceGtin));
            txn.commit();
        }
        m.lists->publish();

        const std::vector<Change> cis = all_changes(*m.lists, ListName::blocked_cis);
        REQUIRE(cis.size() == 4);
        for (std::size_t i = 0; i < cis.size(); ++i) CHECK(cis[i].seq == i + 1);
        CHECK(cis[0].op == ChangeOp::add);
        CHECK(cis[0].item == codes[0]);
        CHECK(cis[2].item == codes[2]);
        CHECK(cis[3].op == ChangeOp::remove);
        CHECK(cis[3].item == codes[0]);
        const ListVersion v = m.lists->version(ListName::blocked_cis);
        CHECK(v.seq == 4);
        CHECK(v.oldest == 1);
        CHECK(v.doc_count == 2);

        // Each list counts on its own; a removal logs the item's full text form.
        const std::vector<Change> prices = all_changes(*m.lists, ListName::min_price);
        REQUIRE(prices.size() == 3);
        CHECK(prices[0].seq == 1);
        CHECK(prices[0].item == price);
        CHECK(prices[1].item == repriced);
        CHECK(prices[2].op == ChangeOp::remove);
        CHECK(prices[2].item == repriced);
        CHECK(m.lists->version(ListName::blocked_gtin).seq == 0);

        // An aborted transaction leaves neither the change nor a seq behind.
        {
            WriteTxn txn(*m.env);
            m.lists->add(txn, ListName::blocked_cis, item(ListName::blocked_cis, kis(2, 1)[0]));
        }
        CHECK(m.lists->version(ListName::blocked_cis).seq == 4);
        add_all(m, ListName::blocked_cis, kis(3, 1));
        const std::vector<Change> after = all_changes(*m.lists, ListName::blocked_cis);
        REQUIRE(after.size() == 5);
        CHECK(after.back().seq == 5);
        CHECK(after.back().item == kis(3, 1)[0]);

        m.open();  // the log is in LMDB
        CHECK(all_changes(*m.lists, ListName::blocked_cis).size() == 5);
        CHECK(m.lists->version(ListName::blocked_cis).seq == 5);
    }

    TEST_CASE("changes_since: pages, more, and when a snapshot is required") {
        Module m;
        add_all(m, ListName::blocked_cis, kis(10, 25));
        const ListVersion v = m.lists->version(ListName::blocked_cis);
        REQUIRE(v.seq == 25);

        ChangeRead page = m.lists->changes_since(ListName::blocked_cis, v.epoch, 0, 10);
        CHECK_FALSE(page.snapshot_required);
        REQUIRE(page.changes.size() == 10);
        CHECK(page.changes.front().seq == 1);
        CHECK(page.changes.back().seq == 10);
        CHECK(page.more);
        CHECK(page.version.seq == 25);
        CHECK(page.version.doc_count == 25);

        page = m.lists->changes_since(ListName::blocked_cis, v.epoch, 10, 10);
        REQUIRE(page.changes.size() == 10);
        CHECK(page.changes.front().seq == 11);
        CHECK(page.more);

        page = m.lists->changes_since(ListName::blocked_cis, v.epoch, 20, 10);
        REQUIRE(page.changes.size() == 5);
        CHECK(page.changes.back().seq == 25);
        CHECK_FALSE(page.more);

        page = m.lists->changes_since(ListName::blocked_cis, v.epoch, 15, 10);  // exactly full
        CHECK(page.changes.size() == 10);
        CHECK_FALSE(page.more);

        page = m.lists->changes_since(ListName::blocked_cis, v.epoch, 25, 10);  // up to date
        CHECK_FALSE(page.snapshot_required);
        CHECK(page.changes.empty());
        CHECK_FALSE(page.more);

        page = m.lists->changes_since(ListName::blocked_cis, v.epoch, 0, 0);
        CHECK(page.changes.empty());
        CHECK(page.more);

        // Another epoch, or a cursor ahead of the list: only a snapshot can help.
        CHECK(m.lists->changes_since(ListName::blocked_cis, "other", 3, 10).snapshot_required);
        CHECK(m.lists->changes_since(ListName::blocked_cis, "", 3, 10).snapshot_required);
        page = m.lists->changes_since(ListName::blocked_cis, v.epoch, 26, 10);
        CHECK(page.snapshot_required);
        CHECK(page.changes.empty());
        CHECK(page.version.epoch == v.epoch);  // still says where the list stands
    }

    TEST_CASE("the log is pruned beyond the retention, and old cursors need a snapshot") {
        Module m;
        m.lists->set_change_log_retention(64);
        const std::vector<std::string> codes = kis(20, 200);
        for (std::size_t i = 0; i < codes.size(); i += 20) {
            add_all(m, ListName::blocked_cis,
                    std::vector<std::string>(codes.begin() + static_cast<std::ptrdiff_t>(i),
                                             codes.begin() + static_cast<std::ptrdiff_t>(i + 20)));
            CHECK(log_entries(*m.env, ListName::blocked_cis) <= 64);
        }
        const ListVersion v = m.lists->version(ListName::blocked_cis);
        CHECK(v.seq == 200);
        const std::size_t kept = log_entries(*m.env, ListName::blocked_cis);
        CHECK(kept >= 63);  // pruned in one go down to 64 - 64/64
        CHECK(v.oldest == v.seq - kept + 1);

        ChangeRead read =
            m.lists->changes_since(ListName::blocked_cis, v.epoch, v.oldest - 1, 1000);
        CHECK_FALSE(read.snapshot_required);
        REQUIRE(read.changes.size() == kept);
        CHECK(read.changes.front().seq == v.oldest);
        CHECK(read.changes.front().item == codes[v.oldest - 1]);
        CHECK(read.changes.back().seq == 200);

        CHECK(m.lists->changes_since(ListName::blocked_cis, v.epoch, v.oldest - 2, 1000)
                  .snapshot_required);
        CHECK(m.lists->changes_since(ListName::blocked_cis, v.epoch, 0, 1000).snapshot_required);
        CHECK(m.lists->count(ListName::blocked_cis) == 200);  // the list itself is whole
    }

    TEST_CASE("a snapshot starts a new epoch with an empty log; seq goes on") {
        Module m;
        add_all(m, ListName::blocked_cis, kis(30, 5));
        const ListVersion before = m.lists->version(ListName::blocked_cis);
        REQUIRE(before.seq == 5);
        const std::string gtin_epoch = m.lists->version(ListName::blocked_gtin).epoch;

        load(*m.lists, ListName::blocked_cis, kis(31, 7));
        const ListVersion after = m.lists->version(ListName::blocked_cis);
        CHECK(after.epoch != before.epoch);
        CHECK(after.epoch.size() == 36);
        CHECK(after.seq == 5);
        CHECK(after.oldest == 6);
        CHECK(after.doc_count == 7);
        CHECK(log_entries(*m.env, ListName::blocked_cis) == 0);

        CHECK(m.lists->changes_since(ListName::blocked_cis, before.epoch, 5, 10).snapshot_required);
        const ChangeRead current =
            m.lists->changes_since(ListName::blocked_cis, after.epoch, 5, 10);
        CHECK_FALSE(current.snapshot_required);
        CHECK(current.changes.empty());

        add_all(m, ListName::blocked_cis, kis(32, 1));
        const std::vector<Change> changes = all_changes(*m.lists, ListName::blocked_cis);
        REQUIRE(changes.size() == 1);
        CHECK(changes[0].seq == 6);
        // Other lists keep their epoch.
        CHECK(m.lists->version(ListName::blocked_gtin).epoch == gtin_epoch);
    }

    TEST_CASE("import: append is logged item by item, replace starts a new epoch") {
        Module m;
        const std::vector<std::string> codes = kis(40, 3);
        const std::string epoch = m.lists->version(ListName::blocked_cis).epoch;
        std::istringstream append(codes[0] + "\n" + codes[1] + "\n" + codes[0] + "\n");
        import_list(*m.lists, ListName::blocked_cis, append, ImportMode::append);
        const std::vector<Change> changes = all_changes(*m.lists, ListName::blocked_cis);
        REQUIRE(changes.size() == 2);  // the repeated line changed nothing
        CHECK(changes[1].item == codes[1]);
        CHECK(m.lists->version(ListName::blocked_cis).epoch == epoch);

        std::istringstream replace(codes[2] + "\n");
        import_list(*m.lists, ListName::blocked_cis, replace, ImportMode::replace);
        const ListVersion v = m.lists->version(ListName::blocked_cis);
        CHECK(v.epoch != epoch);
        CHECK(v.seq == 2);
        CHECK(v.doc_count == 1);
    }

    TEST_CASE("apply_changes: idempotent, skips bad items, atomic with the cursor") {
        Module m;
        const std::vector<std::string> codes = kis(50, 4);
        load(*m.lists, ListName::blocked_cis, {codes[0], codes[1]});
        CHECK_FALSE(m.lists->cursor(ListName::blocked_cis).has_value());
        const std::uint64_t seq_before = m.lists->version(ListName::blocked_cis).seq;

        const std::vector<Change> page = {
            {11, ChangeOp::add, codes[2]},
            {12, ChangeOp::remove, codes[0]},
            {13, ChangeOp::add, "not a code"},
            {14, ChangeOp::add, Codes::with_tail(codes[3])},  // parsed like an import line
            {15, ChangeOp::remove, codes[3]},
            {16, ChangeOp::add, codes[1]},  // already there
        };
        const ReplicationCursor cursor{"upstream-epoch", 16};
        ApplyResult result = m.lists->apply_changes(ListName::blocked_cis, page, cursor);
        CHECK(result.applied == 4);
        CHECK(result.unchanged == 1);
        CHECK(result.rejected == 1);
        CHECK(result.first_error.find("seq 13") == 0);
        CHECK(m.lists->cursor(ListName::blocked_cis) == cursor);
        CHECK(m.lists->count(ListName::blocked_cis) == 2);  // published: codes[1], codes[2]
        CHECK(m.lists->lookup_ki(codes[2]).cis_blocked);
        CHECK_FALSE(m.lists->lookup_ki(codes[0]).cis_blocked);
        CHECK_FALSE(m.lists->lookup_ki(codes[3]).cis_blocked);
        // Applied changes are logged here too, to be served on to other tills.
        CHECK(m.lists->version(ListName::blocked_cis).seq == seq_before + 4);

        // The same page again (a retry after a lost answer) changes nothing: the cursor covers it.
        result = m.lists->apply_changes(ListName::blocked_cis, page, cursor);
        CHECK(result.applied == 0);
        CHECK(result.unchanged == 6);
        CHECK(result.rejected == 0);
        CHECK(m.lists->version(ListName::blocked_cis).seq == seq_before + 4);
        // Under another upstream epoch nothing is skipped, and the adds and removes are no-ops
        // where the list already is so.
        result = m.lists->apply_changes(
            ListName::blocked_cis, {{1, ChangeOp::add, codes[2]}, {2, ChangeOp::remove, codes[0]}},
            {"upstream-epoch-2", 2});
        CHECK(result.applied == 0);
        CHECK(result.unchanged == 2);
        result = m.lists->apply_changes(ListName::blocked_cis, {}, cursor);  // back, for below
        CHECK(m.lists->version(ListName::blocked_cis).seq == seq_before + 4);
        CHECK(m.lists->count(ListName::blocked_cis) == 2);

        // A page whose transaction fails leaves neither its changes nor its cursor.
        const std::vector<Change> failing = {{17, ChangeOp::add, codes[0]}};
        CHECK_THROWS_AS(m.lists->apply_changes(ListName::blocked_cis, failing,
                                               ReplicationCursor{"bad\nepoch", 17}),
                        std::invalid_argument);
        CHECK(m.lists->cursor(ListName::blocked_cis) == cursor);
        CHECK_FALSE(m.lists->lookup_ki(codes[0]).cis_blocked);
        CHECK(m.lists->version(ListName::blocked_cis).seq == seq_before + 4);

        m.open();
        CHECK(m.lists->cursor(ListName::blocked_cis) == cursor);
        CHECK_FALSE(m.lists->cursor(ListName::blocked_gtin).has_value());
    }
}
