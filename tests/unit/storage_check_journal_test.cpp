// The permissive-mode check journal: order, filters, retention by count and by age.
#include <doctest/doctest.h>

#include "storage/check_journal.hpp"
#include "tests/unit/storage_test_support.hpp"

using namespace piotd::storage;

namespace {

JournalEntry entry(std::int64_t time, std::string code) {
    JournalEntry e;
    e.time_ms = time;
    e.source = "online";
    e.allowed = true;
    e.req_id = "r-" + std::to_string(time);
    e.detail = "tab\there";
    e.code = std::move(code);
    return e;
}

void append(Environment& env, std::vector<JournalEntry> entries, const JournalRetention& keep,
            std::int64_t now) {
    WriteTxn txn(env);
    append_journal(txn, entries, keep, now);
    txn.commit();
}

}  // namespace

TEST_SUITE("storage.check_journal") {
    TEST_CASE("entries read back newest first, byte-exact, with limit and since") {
        test::TempDir dir;
        Environment env(EnvironmentOptions{dir.path(), std::size_t{64} << 20});
        const std::string odd = std::string("01046\x1d\"%\t\n", 11) + "end";
        append(env, {entry(1000, "a"), entry(2000, "b"), entry(3000, odd)}, {}, 3000);
        ReadTxn txn(env);
        auto all = read_journal(txn, 10, 0);
        REQUIRE(all.size() == 3);
        CHECK(all[0].code == odd);
        CHECK(all[0].seq == 3);
        CHECK(all[0].req_id == "r-3000");
        CHECK(all[0].detail == "tab here");
        CHECK(all[2].code == "a");
        CHECK(read_journal(txn, 1, 0).size() == 1);
        CHECK(read_journal(txn, 10, 2000).size() == 2);
        CHECK(read_journal(txn, 10, 3001).empty());
    }

    TEST_CASE("retention drops the oldest by count and by age; seq keeps counting") {
        test::TempDir dir;
        Environment env(EnvironmentOptions{dir.path(), std::size_t{64} << 20});
        JournalRetention keep;
        keep.max_entries = 3;
        keep.max_age_ms = 10'000;
        for (int i = 0; i < 5; ++i)
            append(env, {entry(1000 + i, std::to_string(i))}, keep, 1000 + i);
        {
            ReadTxn txn(env);
            const auto kept = read_journal(txn, 10, 0);
            REQUIRE(kept.size() == 3);
            CHECK(kept[0].code == "4");
            CHECK(kept[0].seq == 5);
            CHECK(kept[2].code == "2");
        }
        append(env, {entry(20'000, "late")}, keep, 20'000);  // the others are older than 10 s
        ReadTxn txn(env);
        const auto kept = read_journal(txn, 10, 0);
        REQUIRE(kept.size() == 1);
        CHECK(kept[0].code == "late");
        CHECK(kept[0].seq == 6);
    }
}

TEST_SUITE("storage.check_journal") {
    TEST_CASE("each code's newest upstream verdict, bounded by the journal's retention") {
        test::TempDir dir;
        Environment env(EnvironmentOptions{dir.path(), std::size_t{64} << 20});
        JournalRetention keep;
        keep.max_entries = 50;
        const auto verdict = [](std::int64_t time, const std::string& ki) {
            JournalEntry e = entry(time, ki + "\x1d"
                                              "93tail");
            e.verdict_ki = ki;
            return e;
        };
        append(env, {verdict(1, "A"), entry(2, "B"), verdict(3, "A")}, keep, 3);
        {
            ReadTxn txn(env);
            const auto a = read_verdict(txn, "A");
            REQUIRE(a);
            CHECK(a->time_ms == 3);  // the newest
            CHECK(a->req_id == "r-3");
            CHECK(a->verdict_ki == "A");
            CHECK_FALSE(read_verdict(txn, "B"));  // not an upstream verdict
        }
        // 500 more codes through a journal of 50: every record left points at a kept entry, and
        // the sweeps keep the records near the journal's size.
        for (int i = 0; i < 100; ++i) {
            std::vector<JournalEntry> batch;
            for (int k = 0; k < 5; ++k) {
                batch.push_back(verdict(10 + i * 5 + k, "C" + std::to_string(i * 5 + k)));
            }
            append(env, std::move(batch), keep, 10 + i * 5 + 5);
        }
        ReadTxn txn(env);
        CHECK_FALSE(read_verdict(txn, "A"));  // its entry was pruned
        CHECK(read_verdict(txn, "C499"));
        CHECK_FALSE(read_verdict(txn, "C0"));
        CHECK(txn.entries(Db::check_journal) == 50);
        CHECK(txn.entries(Db::check_verdicts) <= 2 * 50);
    }
}
