// Bulk import of a black list from text (storage/list_import.hpp).
#include <doctest/doctest.h>

#include <memory>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "protocol/codes/marking_code.hpp"
#include "storage/black_lists.hpp"
#include "storage/environment.hpp"
#include "storage/list_import.hpp"
#include "storage_test_support.hpp"

using namespace piotd::storage;
using piotd::storage::test::Codes;
using piotd::storage::test::TempDir;

namespace {

struct Module {
    TempDir dir;
    Environment env{EnvironmentOptions{dir.path(), std::size_t{256} << 20}};
    BlackLists lists{env};
};

bool blocked(const BlackLists& lists, std::string_view ki) {
    const auto parsed = piotd::protocol::parse_marking_code(ki);
    REQUIRE(parsed);
    return lists.lookup(parsed.code).cis_blocked;
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
    TEST_CASE("replace: blank lines and comments skipped, bad lines counted by line number") {
        Module m;
        Codes codes(1);
        const std::string a = codes.ki();
        const std::string b = codes.ki();
        std::istringstream in("# blocked codes\n" + a + "\r\n\n   \n" + "garbage\n" +
                              Codes::with_tail(b) + "\n  # indented comment\n0104600000000000\n");
        std::vector<std::size_t> progress;
        const ImportStats stats = import_list(
            m.lists, ListName::blocked_cis, in, ImportMode::replace,
            [&](std::size_t n) { progress.push_back(n); }, 1);
        CHECK(stats.lines == 8);
        CHECK(stats.loaded == 2);
        CHECK(stats.rejected == 2);
        REQUIRE(stats.first_errors.size() == 2);
        CHECK(stats.first_errors[0].starts_with("line 5: bad marking code: "));
        CHECK(stats.first_errors[1].starts_with("line 8: "));
        CHECK(progress == std::vector<std::size_t>{1, 2});
        CHECK(m.lists.count(ListName::blocked_cis) == 2);
        CHECK(blocked(m.lists, a));
        CHECK(blocked(m.lists, b));
    }

    TEST_CASE("only the first 10 errors are kept") {
        Module m;
        std::string text;
        for (int i = 0; i < 25; ++i) text += "x\n";
        std::istringstream in(text);
        const ImportStats stats =
            import_list(m.lists, ListName::blocked_gtin, in, ImportMode::replace);
        CHECK(stats.rejected == 25);
        CHECK(stats.first_errors.size() == 10);
        CHECK(stats.first_errors.back() == "line 10: GTIN must be 8, 12, 13 or 14 digits");
    }

    TEST_CASE("replace swaps the list; append adds to it in batches") {
        Module m;
        const std::vector<std::string> first = {Codes(2).ki(), Codes(3).ki()};
        std::string text;
        for (const std::string& ki : first) text += ki + "\n";
        std::istringstream replace_in(text);
        import_list(m.lists, ListName::blocked_cis, replace_in, ImportMode::replace);

        Codes more(4);
        std::vector<std::string> appended;
        text.clear();
        for (std::size_t i = 0; i < SnapshotWriter::kBatchSize + 3; ++i) {
            appended.push_back(more.ki());
            text += appended.back() + "\n";
        }
        std::istringstream append_in(text);
        std::size_t last_progress = 0;
        const ImportStats stats = import_list(
            m.lists, ListName::blocked_cis, append_in, ImportMode::append,
            [&](std::size_t n) { last_progress = n; }, 10'000);
        CHECK(stats.loaded == appended.size());
        CHECK(last_progress == 50'000);
        CHECK(m.lists.count(ListName::blocked_cis) == appended.size() + 2);
        CHECK(blocked(m.lists, first[0]));
        CHECK(blocked(m.lists, appended.front()));
        CHECK(blocked(m.lists, appended.back()));

        std::istringstream again(first[1] + "\n");
        import_list(m.lists, ListName::blocked_cis, again, ImportMode::replace);
        CHECK(m.lists.count(ListName::blocked_cis) == 1);
        CHECK_FALSE(blocked(m.lists, first[0]));
        CHECK(blocked(m.lists, first[1]));
    }

    TEST_CASE("a read error leaves the old list in place") {
        Module m;
        std::istringstream good("04601662000016\n");
        import_list(m.lists, ListName::blocked_gtin, good, ImportMode::replace);
        FailingBuf buf("04610053149777\n04600000000017\n");
        std::istream in(&buf);
        const ImportStats stats =
            import_list(m.lists, ListName::blocked_gtin, in, ImportMode::replace);
        CHECK(in.bad());
        CHECK(stats.loaded == 2);
        CHECK(m.lists.count(ListName::blocked_gtin) == 1);
        const auto parsed = piotd::protocol::parse_marking_code(Codes(5).ki_for("04601662000016"));
        REQUIRE(parsed);
        CHECK(m.lists.lookup(parsed.code).gtin_blocked);
    }
}
