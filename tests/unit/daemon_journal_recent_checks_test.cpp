// The status page's last checks: the check journal merged with the LM API's in-memory ring.
#include <doctest/doctest.h>

#include "daemon/checks/journal_recent_checks.hpp"
#include "storage/check_journal.hpp"
#include "tests/unit/storage_test_support.hpp"

using namespace piotd;
using namespace piotd::daemon;

namespace {

storage::JournalEntry entry(std::int64_t time, std::string source, bool allowed, std::string code) {
    storage::JournalEntry e;
    e.time_ms = time;
    e.source = std::move(source);
    e.allowed = allowed;
    e.req_id = "r";
    e.code = std::move(code);
    return e;
}

void journal(storage::Environment& env, std::vector<storage::JournalEntry> entries) {
    storage::WriteTxn txn(env);
    storage::append_journal(txn, entries, {}, entries.back().time_ms);
    txn.commit();
}

void lm_check(RecentChecksRing& ring, std::int64_t time, std::string_view code) {
    const CheckEvent event{"local", code, CheckVerdict::blocked, 1000, time};
    ring.on_checks({&event, 1});
}

}  // namespace

TEST_SUITE("daemon.journal_recent_checks") {
    TEST_CASE("journal and LM checks merged newest first, with source and verdict") {
        storage::test::TempDir dir;
        storage::Environment env(storage::EnvironmentOptions{dir.path(), std::size_t{64} << 20});
        RecentChecksRing ring;
        const JournalRecentChecks checks(env, ring);
        CHECK(checks.recent_checks(50).empty());

        lm_check(ring, 1500, "lm-1");
        lm_check(ring, 3500, "lm-2");
        journal(env, {entry(1000, "online", true, "on"), entry(2000, "offline", false, "off"),
                      entry(3000, "none", false, "no"), entry(4000, "online", false, "refused")});

        const auto all = checks.recent_checks(50);
        REQUIRE(all.size() == 6);
        std::vector<std::string> codes;
        for (const auto& c : all) codes.push_back(c.code);
        CHECK(codes == std::vector<std::string>{"refused", "lm-2", "no", "off", "lm-1", "on"});
        CHECK(all[0].source == "online");
        CHECK(all[0].verdict == CheckVerdict::blocked);
        CHECK(all[1].source == "local");
        CHECK(all[1].duration_ns == 1000);
        CHECK(all[2].verdict == CheckVerdict::not_ready);
        CHECK(all[3].verdict == CheckVerdict::blocked);
        CHECK(all[5].verdict == CheckVerdict::not_blocked);
        CHECK(all[5].duration_ns == 0);

        const auto two = checks.recent_checks(2);
        REQUIRE(two.size() == 2);
        CHECK(two[1].code == "lm-2");
    }

    TEST_CASE("journal codes are cut like the ring's") {
        storage::test::TempDir dir;
        storage::Environment env(storage::EnvironmentOptions{dir.path(), std::size_t{64} << 20});
        RecentChecksRing ring;
        journal(env, {entry(1, "online", true, std::string(1000, 'x'))});
        const auto all = JournalRecentChecks(env, ring).recent_checks(50);
        REQUIRE(all.size() == 1);
        CHECK(all[0].code.size() == RecentChecksRing::kMaxCodeBytes);
    }
}
