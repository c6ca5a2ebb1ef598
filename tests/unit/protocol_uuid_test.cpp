// Version-4 UUIDs (protocol/text/uuid.hpp).
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "protocol/text/uuid.hpp"

using namespace piotd::protocol;

namespace {

bool is_lower_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

void check_shape(std::string_view uuid) {
    REQUIRE(uuid.size() == 36);
    for (std::size_t i = 0; i < uuid.size(); ++i) {
        CAPTURE(i);
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            CHECK(uuid[i] == '-');
        } else {
            CHECK(is_lower_hex(uuid[i]));
        }
    }
    CHECK(uuid[14] == '4');                                                    // version
    CHECK(std::string_view("89ab").find(uuid[19]) != std::string_view::npos);  // variant 10xx
}

std::string text(const UuidText& t) {
    return std::string(t.data(), t.size());
}

}  // namespace

TEST_SUITE("protocol.uuid") {
    TEST_CASE("shape: lowercase 8-4-4-4-12, version 4, variant 10xx") {
        UuidGenerator generator(42);
        for (int i = 0; i < 1000; ++i) check_shape(text(generator.next()));
        for (int i = 0; i < 100; ++i) check_shape(random_uuid());
    }

    TEST_CASE("the same seed gives the same sequence, other seeds others") {
        UuidGenerator a(1), b(1), c(2);
        for (int i = 0; i < 10; ++i) {
            const std::string first = text(a.next());
            CHECK(first == text(b.next()));
            CHECK(first != text(c.next()));
        }
        // Seed 0 is fine too: splitmix64 never leaves xoshiro's state all zero.
        UuidGenerator zero(0);
        CHECK(text(zero.next()) != text(zero.next()));
    }

    // The values the byte-by-byte formatter wrote before the vector one replaced it: the
    // generator's words, big-endian, as lowercase hex with the version and variant bits set.
    TEST_CASE("a seed's sequence is fixed, byte for byte") {
        UuidGenerator generator(42);
        CHECK(text(generator.next()) == "15780b2e-0c2e-4716-a104-d9866d113a7e");
        CHECK(text(generator.next()) == "ae175332-39e4-49a1-acb8-ad4703b360a1");
        CHECK(text(generator.next()) == "fde6dc7f-e2ec-4e64-850d-a53101795238");
        UuidGenerator zero(0);
        CHECK(text(zero.next()) == "99ec5f36-cb75-42b4-bf6e-1f784956452a");
    }

    TEST_CASE("no repeats, and every random nibble varies") {
        UuidGenerator generator(7);
        std::set<std::string> seen;
        std::array<std::set<char>, 36> values{};
        for (int i = 0; i < 20000; ++i) {
            const std::string uuid = text(generator.next());
            CHECK(seen.insert(uuid).second);
            for (std::size_t j = 0; j < uuid.size(); ++j) values[j].insert(uuid[j]);
        }
        for (std::size_t j = 0; j < 36; ++j) {
            CAPTURE(j);
            if (j == 8 || j == 13 || j == 18 || j == 23 || j == 14) {
                CHECK(values[j].size() == 1);
            } else if (j == 19) {
                CHECK(values[j].size() == 4);
            } else {
                CHECK(values[j].size() == 16);
            }
        }
    }

    TEST_CASE("random_uuid differs across calls and threads") {
        std::set<std::string> seen;
        for (int i = 0; i < 1000; ++i) CHECK(seen.insert(random_uuid()).second);
        std::vector<std::string> from_threads(4);
        std::vector<std::thread> threads;
        for (std::size_t t = 0; t < from_threads.size(); ++t) {
            threads.emplace_back([&from_threads, t] { from_threads[t] = random_uuid(); });
        }
        for (auto& thread : threads) thread.join();
        for (const auto& uuid : from_threads) {
            check_shape(uuid);
            CHECK(seen.insert(uuid).second);
        }
    }
}
