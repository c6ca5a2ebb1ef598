// The blocked Bloom filter in front of the big key sets (storage/key_filter.hpp).
#include <doctest/doctest.h>

#include <atomic>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/key_filter.hpp"
#include "storage_test_support.hpp"

using namespace piotd::storage;
using piotd::storage::test::Codes;

namespace {

std::vector<std::string> make_kis(unsigned long seed, std::size_t n) {
    Codes codes(seed);
    std::vector<std::string> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(codes.ki());
    return out;
}

void write_u64(std::string& blob, std::size_t at, std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
        blob[at + static_cast<std::size_t>(i)] = static_cast<char>(v >> (8 * i));
}

}  // namespace

TEST_SUITE("storage.key_filter") {
    TEST_CASE("no false negatives and under 2% false positives at capacity") {
        constexpr std::size_t kKeys = 200'000;
        const std::vector<std::string> members = make_kis(1, kKeys);
        const std::vector<std::string> others = make_kis(2, kKeys);
        KeyFilter filter(kKeys);
        CHECK(filter.capacity() == kKeys);
        CHECK(filter.bytes() % 64 == 0);
        CHECK(filter.bytes() * 8 >= kKeys * 10);
        for (const std::string& key : members) filter.add(key);

        std::size_t missing = 0;
        for (const std::string& key : members) missing += !filter.may_contain(key);
        CHECK(missing == 0);

        std::size_t false_positives = 0;
        for (const std::string& key : others) false_positives += filter.may_contain(key);
        const double rate = static_cast<double>(false_positives) / static_cast<double>(kKeys);
        MESSAGE("false positive rate at 10 bits/key: " << rate * 100 << "%");
        CHECK(rate < 0.02);
    }

    TEST_CASE("short, empty and similar keys") {
        KeyFilter filter(1000);
        const std::vector<std::string> keys = {"",         "a",         "ab",
                                               "abc",      "abcd",      "abcdefg",
                                               "abcdefgh", "abcdefghi", std::string(100, 'z')};
        for (const std::string& key : keys) filter.add(key);
        for (const std::string& key : keys) CHECK(filter.may_contain(key));
        // Keys differing in one character mostly hash apart (an empty filter of 1000 would
        // answer no; a few collisions are allowed).
        KeyFilter one(1000);
        one.add("0104600000000000215AAAAAAAAAAAA");
        int hits = 0;
        for (char c = 'B'; c <= 'Z'; ++c) {
            hits += one.may_contain(std::string("0104600000000000215AAAAAAAAAAA") + c);
        }
        CHECK(hits <= 1);
        CHECK_FALSE(KeyFilter(10).may_contain("anything"));
    }

    TEST_CASE("serialize round trip") {
        const std::vector<std::string> members = make_kis(3, 5000);
        const std::vector<std::string> others = make_kis(4, 5000);
        KeyFilter filter(5000);
        for (const std::string& key : members) filter.add(key);
        const std::string blob = filter.serialize();
        CHECK(blob.size() == 32 + filter.bytes());

        const auto copy = KeyFilter::deserialize(blob);
        REQUIRE(copy);
        CHECK(copy->capacity() == filter.capacity());
        CHECK(copy->bytes() == filter.bytes());
        CHECK(copy->serialize() == blob);
        for (const std::string& key : members) CHECK(copy->may_contain(key));
        for (const std::string& key : others)
            CHECK(copy->may_contain(key) == filter.may_contain(key));
    }

    TEST_CASE("hostile blobs are rejected") {
        KeyFilter filter(3000);
        filter.add("x");
        const std::string good = filter.serialize();
        REQUIRE(KeyFilter::deserialize(good));

        CHECK_FALSE(KeyFilter::deserialize(""));
        CHECK_FALSE(KeyFilter::deserialize(good.substr(0, 31)));
        CHECK_FALSE(KeyFilter::deserialize(good.substr(0, 32)));
        CHECK_FALSE(KeyFilter::deserialize(good.substr(0, good.size() - 1)));
        CHECK_FALSE(KeyFilter::deserialize(good + '\0'));
        CHECK_FALSE(KeyFilter::deserialize(good + std::string(64, '\0')));

        std::string bad = good;
        bad[0] = 'P';  // magic
        CHECK_FALSE(KeyFilter::deserialize(bad));
        bad = good;
        bad[8] = 2;  // version
        CHECK_FALSE(KeyFilter::deserialize(bad));
        bad = good;
        bad[12] = 8;  // bits per key lookup
        CHECK_FALSE(KeyFilter::deserialize(bad));
        bad = good;
        write_u64(bad, 16, 0);  // capacity 0
        CHECK_FALSE(KeyFilter::deserialize(bad));
        bad = good;
        write_u64(bad, 16, 100'000);  // capacity that needs more blocks than the body has
        CHECK_FALSE(KeyFilter::deserialize(bad));
        bad = good;
        write_u64(bad, 16, ~std::uint64_t{0});  // arithmetic overflow bait
        CHECK_FALSE(KeyFilter::deserialize(bad));
        bad = good;
        write_u64(bad, 24, ~std::uint64_t{0} / 64 + 2);  // block count that overflows * 64
        CHECK_FALSE(KeyFilter::deserialize(bad));
        bad = good;
        write_u64(bad, 24, 1);  // block count inconsistent with the capacity
        CHECK_FALSE(KeyFilter::deserialize(bad));

        std::mt19937_64 rng(5);
        for (int i = 0; i < 200; ++i) {
            std::string junk(rng() % 200, '\0');
            for (char& c : junk) c = static_cast<char>(rng());
            if (i % 2 == 0 && junk.size() >= 8) junk.replace(0, 8, good.substr(0, 8));
            CHECK_FALSE(KeyFilter::deserialize(junk));
        }
    }

    TEST_CASE("a filter of 2 MiB and more (on huge pages) starts empty and keeps its keys") {
        KeyFilter filter(2'000'000);
        REQUIRE(filter.bytes() >= std::size_t{2} << 20);
        const std::vector<std::string> members = make_kis(8, 20'000);
        std::size_t before = 0;
        for (const std::string& key : members) before += filter.may_contain(key);
        CHECK(before == 0);
        for (const std::string& key : members) filter.add(key);
        const auto copy = KeyFilter::deserialize(filter.serialize());
        REQUIRE(copy);
        std::size_t missing = 0;
        for (const std::string& key : members) missing += !copy->may_contain(key);
        CHECK(missing == 0);
        CHECK(copy->serialize() == filter.serialize());
    }

    TEST_CASE("sizing policy") {
        KeyFilter filter(1000);
        CHECK_FALSE(filter.overfull(1500));
        CHECK(filter.overfull(1501));
        CHECK(KeyFilter::capacity_for(0) == 1024);
        CHECK(KeyFilter::capacity_for(1'000'000) == 1'250'000);
        CHECK(KeyFilter::blocks_for(1) == 1);
        CHECK(KeyFilter(0).capacity() == 1);
    }

    TEST_CASE("adds are visible to concurrent readers and never unset bits") {
        const std::vector<std::string> before = make_kis(6, 20'000);
        const std::vector<std::string> during = make_kis(7, 20'000);
        KeyFilter filter(40'000);
        for (const std::string& key : before) filter.add(key);
        std::atomic<bool> stop{false};
        std::atomic<std::size_t> misses{0};
        std::vector<std::thread> readers;
        for (int t = 0; t < 3; ++t) {
            readers.emplace_back([&] {
                while (!stop.load()) {
                    for (const std::string& key : before) misses += !filter.may_contain(key);
                }
            });
        }
        for (const std::string& key : during) filter.add(key);
        stop = true;
        for (std::thread& t : readers) t.join();
        CHECK(misses.load() == 0);
        for (const std::string& key : during) CHECK(filter.may_contain(key));
    }
}
