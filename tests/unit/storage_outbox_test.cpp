// The relay outbox (storage/outbox.hpp): enqueue with idempotency, state indexes, retry of dead
// documents, pruning, and the record codec.
#include <doctest/doctest.h>

#include <string>

#include "storage/outbox.hpp"
#include "storage/transaction.hpp"
#include "tests/unit/storage_test_support.hpp"

using namespace piotd::storage;
using piotd::storage::test::TempDir;

namespace {

OutboxRecord record(const std::string& id, OutboxState state, std::int64_t created) {
    OutboxRecord r;
    r.id = id;
    r.state = state;
    r.document = R"({"id":")" + id + R"("})";
    r.created_ms = created;
    r.updated_ms = created;
    return r;
}

EnqueueOutcome put(Environment& env, Outbox& outbox, OutboxRecord r) {
    WriteTxn txn(env);
    EnqueueOutcome outcome = outbox.enqueue(txn, std::move(r));
    txn.commit();
    return outcome;
}

}  // namespace

TEST_SUITE("outbox") {
    TEST_CASE("record codec round-trips and refuses garbage") {
        OutboxRecord r = record("a", OutboxState::checking, 5);
        r.seq = 42;
        r.attempts = 3;
        r.rejections = 1;
        r.next_attempt_ms = 99;
        r.last_error = "HTTP 500";
        r.upstream_id = "u-1";
        r.signed_body = std::string("\0body", 5);
        r.signature = "U0lH";
        const std::string encoded = encode_outbox_record(r);
        const auto decoded = decode_outbox_record(encoded);
        REQUIRE(decoded.has_value());
        CHECK(decoded->seq == 42);
        CHECK(decoded->state == OutboxState::checking);
        CHECK(decoded->signed_body == r.signed_body);
        CHECK(decoded->upstream_id == "u-1");
        CHECK(decoded->attempts == 3);
        CHECK_FALSE(decode_outbox_record(encoded.substr(0, encoded.size() - 1)).has_value());
        CHECK_FALSE(decode_outbox_record(encoded + "x").has_value());
        CHECK_FALSE(decode_outbox_record("").has_value());
        for (const auto state : {OutboxState::queued, OutboxState::dead, OutboxState::local}) {
            CHECK(parse_outbox_state(outbox_state_name(state)) == state);
        }
        CHECK_FALSE(parse_outbox_state("sending").has_value());
    }

    TEST_CASE("enqueue assigns seqs in order, dedups by id, survives reopening") {
        TempDir dir;
        {
            Environment env({dir.path()});
            Outbox outbox(env);
            CHECK(put(env, outbox, record("a", OutboxState::queued, 1)).created);
            CHECK(put(env, outbox, record("b", OutboxState::queued, 2)).record.seq == 2);
            const EnqueueOutcome again = put(env, outbox, record("a", OutboxState::queued, 3));
            CHECK_FALSE(again.created);
            CHECK(again.record.seq == 1);
            CHECK(again.record.created_ms == 1);
            {
                // An aborted transaction leaves nothing behind.
                WriteTxn txn(env);
                outbox.enqueue(txn, record("c", OutboxState::queued, 4));
            }
            CHECK_FALSE(outbox.find("c").has_value());
        }
        Environment env({dir.path()});
        Outbox outbox(env);
        CHECK(outbox.find("b")->seq == 2);
        CHECK(put(env, outbox, record("c", OutboxState::queued, 5)).record.seq == 3);
        const auto pending = outbox.pending(10);
        REQUIRE(pending.size() == 3);
        CHECK(pending[0].id == "a");
        CHECK(pending[2].id == "c");
        CHECK(outbox.pending(2).size() == 2);
    }

    TEST_CASE("state changes move documents between indexes; counts; retry of dead ones") {
        TempDir dir;
        Environment env({dir.path()});
        Outbox outbox(env);
        for (int i = 0; i < 5; ++i) {
            put(env, outbox, record("d" + std::to_string(i), OutboxState::queued, 100 + i));
        }
        put(env, outbox, record("l", OutboxState::local, 200));
        auto counts = outbox.counts();
        CHECK(counts.queued == 5);
        CHECK(counts.done == 1);
        CHECK(counts.total == 6);
        CHECK(counts.oldest_pending_ms == 100);

        auto pending = outbox.pending(10);
        {
            WriteTxn txn(env);
            pending[0].state = OutboxState::delivered;
            outbox.update(txn, pending[0]);
            pending[1].state = OutboxState::dead;
            pending[1].last_error = "refused";
            outbox.update(txn, pending[1]);
            pending[2].state = OutboxState::checking;
            outbox.update(txn, pending[2]);
            pending[3].state = OutboxState::rejected;
            outbox.update(txn, pending[3]);
            txn.commit();
        }
        counts = outbox.counts();
        CHECK(counts.queued == 1);
        CHECK(counts.checking == 1);
        CHECK(counts.rejected == 1);
        CHECK(counts.dead == 1);
        CHECK(counts.done == 2);
        CHECK(counts.oldest_pending_ms == 102);
        CHECK(outbox.pending(10).size() == 3);
        const auto dead = outbox.list(OutboxState::dead, 10);
        REQUIRE(dead.size() == 1);
        CHECK(dead[0].last_error == "refused");
        CHECK(outbox.list(OutboxState::checking, 10).size() == 1);
        CHECK(outbox.list(OutboxState::local, 10).size() == 1);
        CHECK(outbox.list(OutboxState::delivered, 10, 1).empty());  // after seq 1

        CHECK_FALSE(outbox.retry("d0", 1));  // delivered, not dead
        CHECK_FALSE(outbox.retry("zz", 1));
        const auto retried = outbox.retry("d1", 500);
        REQUIRE(retried);
        CHECK(retried->state == OutboxState::queued);
        CHECK(retried->attempts == 0);
        const auto back = outbox.find("d1");
        CHECK(back->state == OutboxState::queued);
        CHECK(back->updated_ms == 500);
        CHECK(outbox.counts().dead == 0);
        CHECK(outbox.pending(10).front().id == "d1");  // its place in the order is kept
    }

    TEST_CASE("prune: finished documents by age, then by count; never pending or dead") {
        TempDir dir;
        Environment env({dir.path()});
        Outbox outbox(env);
        for (int i = 0; i < 10; ++i) {
            put(env, outbox, record("f" + std::to_string(i), OutboxState::delivered, i));
        }
        put(env, outbox, record("q", OutboxState::queued, 0));
        put(env, outbox, record("x", OutboxState::dead, 0));
        CHECK(outbox.prune(3, 100, 1000) == 3);  // f0..f2 are older than 3
        CHECK_FALSE(outbox.find("f2").has_value());
        CHECK(outbox.find("f3").has_value());
        CHECK(outbox.prune(0, 4, 2) == 2);  // budget
        CHECK(outbox.prune(0, 4, 100) == 1);
        CHECK(outbox.counts().done == 4);
        CHECK(outbox.find("f9").has_value());
        CHECK(outbox.find("q").has_value());
        CHECK(outbox.find("x").has_value());
        // A pruned id is free again (its dedup window is over).
        CHECK(put(env, outbox, record("f0", OutboxState::queued, 50)).created);
    }
}
