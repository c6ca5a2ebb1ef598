// A replace import is loaded in key order through sorted runs (storage/list_import.hpp): input
// in any order, duplicates, input larger than the memory budget (several runs and a merge),
// full pages, and what a failure leaves behind.
#include <doctest/doctest.h>

#include <lmdb.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "protocol/codes/marking_code.hpp"
#include "storage/black_lists.hpp"
#include "storage/cursor.hpp"
#include "storage/list_import.hpp"
#include "storage/list_slots.hpp"
#include "storage/storage_error.hpp"
#include "storage_test_support.hpp"

using namespace piotd::storage;
using piotd::storage::test::Codes;
using piotd::storage::test::kis;
using piotd::storage::test::Module;
using piotd::storage::test::TempDir;

namespace {

// About 500 КИ per run (39 bytes each): a few thousand items make several runs.
constexpr std::size_t kTinyBudget = 20'000;

std::string lines(const std::vector<std::string>& items) {
    std::string text;
    for (const std::string& item : items) text += item + "\n";
    return text;
}

ImportStats import_text(Module& m, ListName list, const std::string& text,
                        const ImportOptions& options) {
    std::istringstream in(text);
    return import_list(*m.lists, list, in, ImportMode::replace, options);
}

// The keys of the active slot, in LMDB's order.
std::vector<std::string> stored_keys(const Module& m, ListName list) {
    const ReadTxn txn(*m.env);
    const Db db = slot_db(list, parse_slot(txn.get(Db::meta, active_key(list))));
    std::vector<std::string> keys;
    Cursor cursor(txn, db);
    for (bool more = cursor.first(); more; more = cursor.next()) keys.emplace_back(cursor.key());
    return keys;
}

MDB_stat active_stat(const Module& m, ListName list) {
    const ReadTxn txn(*m.env);
    const Db db = slot_db(list, parse_slot(txn.get(Db::meta, active_key(list))));
    MDB_stat stat{};
    REQUIRE(mdb_stat(txn.handle(), m.env->dbi(db), &stat) == 0);
    return stat;
}

bool blocked(const BlackLists& lists, std::string_view ki) {
    const auto parsed = piotd::protocol::parse_marking_code(ki);
    REQUIRE(parsed);
    return lists.lookup(parsed.code).cis_blocked;
}

std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        files.push_back(entry.path().filename());
    }
    std::sort(files.begin(), files.end());
    return files;
}

// Serves `text`, then fails like a disk read error would.
class FailingBuf : public std::streambuf {
public:
    explicit FailingBuf(std::string text) : text_(std::move(text)) {
        setg(text_.data(), text_.data(), text_.data() + text_.size());
    }

protected:
    int_type underflow() override { throw std::ios_base::failure("read error"); }

private:
    std::string text_;
};

}  // namespace

TEST_SUITE("storage.list_import") {
    TEST_CASE("input larger than the budget: several runs, one merge, duplicates loaded once") {
        Module m;
        TempDir temp;
        std::filesystem::create_directories(temp.path());
        std::vector<std::string> codes = kis(21, 5000);
        std::vector<std::string> input = codes;
        // Repeats: within what will be one run, and across runs (the first ones again at the
        // end, full codes with their crypto tail among them).
        for (std::size_t i = 0; i < 100; ++i) input.push_back(codes[i]);
        for (std::size_t i = 100; i < 150; ++i) input.push_back(Codes::with_tail(codes[i]));
        input.insert(input.begin() + 10, codes[11]);

        ImportOptions options;
        options.memory_budget = kTinyBudget;
        options.temp_dir = temp.path();
        options.batch_size = 700;
        const ImportStats stats = import_text(m, ListName::blocked_cis, lines(input), options);
        CHECK(stats.loaded == input.size());
        CHECK(stats.duplicates == 151);
        CHECK(stats.runs >= 5);
        CHECK(m.lists->count(ListName::blocked_cis) == codes.size());

        std::set<std::string> expected(codes.begin(), codes.end());
        const std::vector<std::string> keys = stored_keys(m, ListName::blocked_cis);
        CHECK(keys == std::vector<std::string>(expected.begin(), expected.end()));
        for (std::size_t i = 0; i < codes.size(); i += 97) CHECK(blocked(*m.lists, codes[i]));
        CHECK_FALSE(blocked(*m.lists, Codes(22).ki()));
        CHECK(files_in(temp.path()).empty());
    }

    TEST_CASE("the run files go to the data dir by default and are gone after the import") {
        Module m;
        ImportOptions options;
        options.memory_budget = kTinyBudget;
        const ImportStats stats =
            import_text(m, ListName::blocked_cis, lines(kis(23, 3000)), options);
        CHECK(stats.runs >= 2);
        CHECK(m.lists->count(ListName::blocked_cis) == 3000);
        CHECK(files_in(m.dir.path()) == std::vector<std::filesystem::path>{"data.mdb", "lock.mdb"});
    }

    TEST_CASE("min_price: the last line of a GTIN wins, within a run and across runs") {
        Module m;
        Codes gtins(24);
        std::vector<std::string> gtin;
        for (int i = 0; i < 2000; ++i) gtin.push_back(gtins.gtin14());
        std::vector<std::string> input;
        for (std::size_t i = 0; i < gtin.size(); ++i)
            input.push_back(gtin[i] + " " + std::to_string(i));
        input.push_back(gtin[0] + " 777");  // a later run than the first line
        input.push_back(gtin[1] + " 1");    // both in the last run: the second wins
        input.push_back(gtin[1] + " 2");
        ImportOptions options;
        options.memory_budget = 4000;
        const ImportStats stats = import_text(m, ListName::min_price, lines(input), options);
        CHECK(stats.runs >= 3);
        CHECK(stats.duplicates == 3);
        CHECK(m.lists->count(ListName::min_price) == gtin.size());
        const auto price = [&](const std::string& g) {
            const auto parsed = piotd::protocol::parse_marking_code(Codes(25).ki_for(g));
            REQUIRE(parsed);
            return m.lists->lookup(parsed.code).min_price;
        };
        CHECK(price(gtin[0]) == 777U);
        CHECK(price(gtin[1]) == 2U);
        CHECK(price(gtin[3]) == 3U);
        CHECK(price(gtin[1999]) == 1999U);
    }

    TEST_CASE("sorted, reversed and shuffled input: the same list on full pages") {
        std::vector<std::string> codes = kis(26, 20'000);
        std::sort(codes.begin(), codes.end());
        std::vector<std::string> reversed(codes.rbegin(), codes.rend());
        std::vector<std::string> shuffled = codes;
        std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(27));
        for (const auto* input : {&codes, &reversed, &shuffled}) {
            for (const std::size_t budget : {kImportMemoryBudget, kTinyBudget * 10}) {
                Module m;
                ImportOptions options;
                options.memory_budget = budget;
                options.batch_size = 3000;
                import_text(m, ListName::blocked_cis, lines(*input), options);
                CHECK(stored_keys(m, ListName::blocked_cis) == codes);
                // Each item is an LMDB leaf node of 8 header + 31 key bytes rounded to 40, plus a
                // 2-byte slot: appended in key order, pages fill up (random puts leave them
                // about 70 % full).
                const MDB_stat stat = active_stat(m, ListName::blocked_cis);
                const std::size_t per_page = (stat.ms_psize - 16) / 42;
                CHECK(stat.ms_entries == codes.size());
                CHECK(stat.ms_leaf_pages <= (codes.size() + per_page - 1) / per_page + 1);
            }
        }
    }

    TEST_CASE("a failed load leaves the old list and no run files") {
        Module m;
        m.options.map_size = std::size_t{1} << 20;  // room for the old list, not the new one
        m.open();
        const std::vector<std::string> old = kis(28, 50);
        import_text(m, ListName::blocked_cis, lines(old), ImportOptions{});
        TempDir temp;
        std::filesystem::create_directories(temp.path());
        ImportOptions options;
        options.memory_budget = kTinyBudget;
        options.temp_dir = temp.path();
        try {
            import_text(m, ListName::blocked_cis, lines(kis(29, 40'000)), options);
            FAIL("the import fit in a 1 MiB map");
        } catch (const StorageError& e) {
            CHECK(e.map_full());
        }
        CHECK(files_in(temp.path()).empty());
        m.open();  // as after a crash: what is committed is what a restart sees
        CHECK(m.lists->count(ListName::blocked_cis) == old.size());
        CHECK(blocked(*m.lists, old.front()));
        CHECK(blocked(*m.lists, old.back()));
    }

    TEST_CASE("a read error after runs were written: nothing replaced, no run files") {
        Module m;
        const std::vector<std::string> old = kis(30, 10);
        import_text(m, ListName::blocked_cis, lines(old), ImportOptions{});
        TempDir temp;
        std::filesystem::create_directories(temp.path());
        ImportOptions options;
        options.memory_budget = kTinyBudget;
        options.temp_dir = temp.path();
        FailingBuf buf(lines(kis(31, 3000)));
        std::istream in(&buf);
        const ImportStats stats =
            import_list(*m.lists, ListName::blocked_cis, in, ImportMode::replace, options);
        CHECK(in.bad());
        CHECK(stats.loaded == 3000);
        CHECK(files_in(temp.path()).empty());
        CHECK(m.lists->count(ListName::blocked_cis) == old.size());
        CHECK(blocked(*m.lists, old.front()));
    }

    TEST_CASE("a file with no items replaces the list with an empty one") {
        Module m;
        import_text(m, ListName::blocked_cis, lines(kis(34, 10)), ImportOptions{});
        const ImportStats stats =
            import_text(m, ListName::blocked_cis, "# nothing blocked\n\n", ImportOptions{});
        CHECK(stats.loaded == 0);
        CHECK(stats.runs == 0);
        CHECK(m.lists->count(ListName::blocked_cis) == 0);
    }

    TEST_CASE("a run file that cannot be made fails the import before anything is written") {
        Module m;
        const std::vector<std::string> old = kis(32, 10);
        import_text(m, ListName::blocked_cis, lines(old), ImportOptions{});
        TempDir missing;  // never created
        ImportOptions options;
        options.memory_budget = kTinyBudget;
        options.temp_dir = missing.path();
        CHECK_THROWS_AS(import_text(m, ListName::blocked_cis, lines(kis(33, 3000)), options),
                        StorageError);
        CHECK(m.lists->count(ListName::blocked_cis) == old.size());
    }
}
