// Sorted runs of a list import in memory (storage/run_buffer.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "storage/run_buffer.hpp"

using piotd::storage::RunBuffer;

namespace {

struct Item {
    std::string key;
    std::string value;
};

std::vector<Item> contents(const RunBuffer& buffer) {
    std::vector<Item> items;
    std::string scratch;
    for (std::size_t i = 0; i < buffer.size(); ++i) {
        items.push_back({std::string(buffer.key(i, scratch)), std::string(buffer.value(i))});
    }
    return items;
}

// What LMDB would hold after putting `items` one by one: std::map<std::string> orders keys as
// LMDB's default comparator does (unsigned bytes, a prefix first), and a later put replaces.
std::vector<Item> reference(const std::vector<Item>& items) {
    std::map<std::string, std::string> held;
    for (const Item& item : items) held[item.key] = item.value;
    std::vector<Item> sorted;
    for (const auto& [key, value] : held) sorted.push_back({key, value});
    return sorted;
}

bool same(const std::vector<Item>& a, const std::vector<Item>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Item& x, const Item& y) {
        return x.key == y.key && x.value == y.value;
    });
}

}  // namespace

TEST_SUITE("storage.run_buffer") {
    TEST_CASE("sorted in LMDB's byte order, the last value of a key kept") {
        RunBuffer buffer(1 << 20);
        const std::vector<Item> items = {
            {"0104603586014674215012516137746", ""},
            {"0104603586014674215012516137745", ""},
            {"01046035860146742150125161377", ""},  // a prefix of the two above
            {"0104603586014674215012516137746", ""},
            {"04601662000016", "a"},
            {"04601662000016", "b"},       // the later one wins
            {std::string("\xff", 1), ""},  // bytes compare unsigned: after every digit
            {std::string("0104603586014674\0", 17), ""},  // a zero byte inside the head
            {"0104603586014674", ""},
            {"010460358601467421501251", ""},  // exactly the 24 bytes of the head
            {"010460358601467421501251!", ""},
        };
        for (const Item& item : items) REQUIRE(buffer.add(item.key, item.value));
        CHECK(buffer.sort_unique() == 2);
        CHECK(same(contents(buffer), reference(items)));
        CHECK(buffer.value(buffer.size() - 2) == "b");
    }

    TEST_CASE("random keys of every length around the head sort like std::map") {
        // A small alphabet so that keys share long prefixes and repeat; lengths 0..40 cross
        // the 24-byte head both ways.
        std::mt19937 rng(7);
        std::vector<Item> items;
        for (int i = 0; i < 20'000; ++i) {
            std::string key(rng() % 41, '0');
            for (char& c : key) c = "01\xfe"[rng() % 3];
            items.push_back({key, std::to_string(i)});
        }
        RunBuffer buffer(std::size_t{8} << 20);
        for (const Item& item : items) REQUIRE(buffer.add(item.key, item.value));
        const std::vector<Item> expected = reference(items);
        CHECK(buffer.sort_unique() == items.size() - expected.size());
        CHECK(same(contents(buffer), expected));
    }

    TEST_CASE("the budget bounds what it takes; an empty buffer takes any item") {
        RunBuffer buffer(100);
        const std::string ki = "0104603586014674215012516137746";  // 32 + 7 bytes
        CHECK(buffer.add(ki, ""));
        CHECK(buffer.add(ki + "1", ""));
        CHECK_FALSE(buffer.add(ki + "2", ""));  // 39 + 40 + 40 > 100
        CHECK(buffer.size() == 2);
        CHECK(buffer.bytes() <= 100);

        buffer.clear();
        CHECK(buffer.empty());
        const std::string long_key(200, 'x');
        CHECK(buffer.add(long_key, ""));
        std::string scratch;
        CHECK(buffer.key(0, scratch) == long_key);
        CHECK_FALSE(buffer.add("y", ""));
    }
}
