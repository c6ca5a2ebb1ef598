// A snapshot encoded once and shared by the tills that pull it (daemon/replication/
// encoded_snapshot.hpp, snapshot_cache.hpp): every reader gets the bytes one stream of its own
// would have, whatever the order and sizes of their reads; a changed list gets a new encoding;
// an idle one is dropped.
#include <doctest/doctest.h>

#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "daemon/replication/encoded_snapshot.hpp"
#include "daemon/replication/encoded_snapshot_source.hpp"
#include "daemon/replication/snapshot_cache.hpp"
#include "daemon/replication/snapshot_encoder.hpp"
#include "storage/list_item.hpp"
#include "storage/snapshot_reader.hpp"
#include "storage/transaction.hpp"
#include "storage_test_support.hpp"

using namespace piotd::daemon;
using piotd::storage::ListName;
using piotd::storage::SnapshotReader;
using piotd::storage::test::kis;
using piotd::storage::test::Module;
using namespace std::chrono_literals;

namespace {

void load(Module& m, const std::vector<std::string>& texts) {
    auto writer = m.lists->begin_snapshot(ListName::blocked_cis);
    for (const std::string& text : texts) {
        const auto parsed = piotd::storage::parse_list_item(ListName::blocked_cis, text);
        REQUIRE(parsed.ok);
        writer.add(parsed.item);
    }
    writer.finish();
}

void add(Module& m, const std::string& text) {
    piotd::storage::WriteTxn txn(*m.env);
    const auto parsed = piotd::storage::parse_list_item(ListName::blocked_cis, text);
    REQUIRE(parsed.ok);
    m.lists->add(txn, ListName::blocked_cis, parsed.item);
    txn.commit();
    m.lists->publish();
}

std::unique_ptr<SnapshotReader> reader(Module& m) {
    return std::make_unique<SnapshotReader>(*m.lists, ListName::blocked_cis);
}

// A whole body from `source`, `budget` bytes a call, waiting as a session does when a piece is
// not there yet.
std::string drain(ChunkSource& source, std::size_t budget) {
    std::string body;
    for (;;) {
        std::string piece;
        const bool more = source.next(piece, budget);
        body += piece;
        if (!more) return body;
        if (piece.empty()) {
            std::promise<void> ready;
            source.on_ready([&ready] { ready.set_value(); });
            ready.get_future().wait();
        }
    }
}

// A stream of `snapshot` in pieces of `piece_bytes`.
std::string read_all(const std::shared_ptr<EncodedSnapshot>& snapshot, std::size_t piece_bytes) {
    EncodedSnapshotSource source(snapshot, nullptr, piece_bytes, 4 * piece_bytes);
    return drain(source, piece_bytes);
}

std::string alone(Module& m) {
    SnapshotEncoder encoder(reader(m), ListName::blocked_cis, nullptr);
    return drain(encoder, 64 * 1024);
}

}  // namespace

TEST_SUITE("daemon.replication_serving") {
    TEST_CASE("readers of a shared encoding get what a stream of their own would send") {
        Module m;
        load(m, kis(3, 20'000));
        const std::string expected = alone(m);
        REQUIRE(expected.size() > 500'000);
        ServingWorkers workers;
        workers.start(2, nullptr);
        auto r = reader(m);
        auto shared = std::make_shared<EncodedSnapshot>(r, ListName::blocked_cis, 4096, workers);
        CHECK_FALSE(r);  // taken
        // Readers with different piece sizes, several at once, waiting for the encoding when
        // they catch up with it.
        std::vector<std::string> bodies(4);
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < bodies.size(); ++i) {
            threads.emplace_back([&, i] { bodies[i] = read_all(shared, 1000 + i * 3000); });
        }
        for (std::thread& t : threads) t.join();
        for (const std::string& body : bodies) CHECK(body == expected);
        CHECK(shared->size() == expected.size());
        CHECK(shared->fraction(expected.size()) == 1.0);
        CHECK(shared->fraction(expected.size() / 2) == doctest::Approx(0.5).epsilon(0.01));
        // A late reader gets it all from the file, without waiting.
        CHECK(read_all(shared, 70'000) == expected);
        workers.stop();
    }

    TEST_CASE("the cache shares one encoding per version, and drops it when idle") {
        Module m;
        load(m, kis(5, 3'000));
        ServingWorkers workers;
        workers.start(1, nullptr);
        SnapshotCache cache(8192, workers);
        const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
        auto first_reader = reader(m);
        auto first = cache.share(ListName::blocked_cis, first_reader, t0);
        REQUIRE(first);
        CHECK_FALSE(first_reader);
        auto second_reader = reader(m);
        auto second = cache.share(ListName::blocked_cis, second_reader, t0 + 1s);
        CHECK(second == first);
        CHECK(second_reader);  // not needed: left to the caller
        // The list changes: a new encoding, with the change; the old one stays whole for its
        // readers.
        add(m, "0104600000000093215CacheTest0001");
        auto third_reader = reader(m);
        auto third = cache.share(ListName::blocked_cis, third_reader, t0 + 2s);
        REQUIRE(third);
        CHECK(third != first);
        std::string old_body;
        std::string new_body;
        {
            old_body = read_all(first, 10'000);
            new_body = read_all(third, 10'000);
        }
        CHECK(old_body.find("CacheTest0001") == std::string::npos);
        CHECK(new_body.find("CacheTest0001") != std::string::npos);
        CHECK(new_body == alone(m));
        CHECK(cache.bytes() == new_body.size());
        // Kept while a stream holds it, and kKeepIdle after. (The workers are stopped first: a
        // job that has just finished may still hold a reference for a moment.)
        workers.stop();
        first.reset();
        second.reset();
        cache.expire(t0 + 60s);
        CHECK(cache.bytes() == new_body.size());  // `third` is still held
        third.reset();
        cache.expire(t0 + 61s);
        CHECK(cache.bytes() == new_body.size());
        cache.expire(t0 + 61s + SnapshotCache::kKeepIdle);
        CHECK(cache.bytes() == 0);
    }
}
