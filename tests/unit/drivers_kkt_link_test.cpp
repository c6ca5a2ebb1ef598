// The register's link protocol and session against the fake register in memory, with faults.
#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "drivers/kkt/kkt_session.hpp"
#include "protocol/kkt/shtrih_error.hpp"
#include "protocol/decision/tag1260.hpp"
#include "tests/fakes/fake_kkt_register.hpp"
#include "tests/unit/kkt_memory_transport.hpp"

using namespace piotd::drivers;
using piotd::fakes::FakeKktRegister;
using Bytes = std::vector<std::uint8_t>;
using piotd::test::MemoryTransport;

namespace {

struct Rig {
    FakeKktRegister reg;
    MemoryTransport transport{reg};
    KktSession session{transport, piotd::test::fast_kkt_options()};
};

const std::string kCode =
    "0104650117240408215Qbag!\x1d"
    "93Zjqw";

Bytes bytes_of(const std::string& s) {
    return {s.begin(), s.end()};
}

Bytes tag1260(const std::string& value) {
    const auto encoded = piotd::protocol::encode_tag1260(value);
    REQUIRE(encoded);
    return {encoded->begin(), encoded->end()};
}

void sell_one(KktSession& s, const std::string& code, const std::string& tag_value) {
    const auto check = s.check_marking_code(bytes_of(code));
    REQUIRE_FALSE(piotd::protocol::shtrih::marking_check_refused(check));
    s.accept_marking_code(true);
    KktPosition p;
    p.name = "Milk";
    p.price_kopecks = 8990;
    p.marking_code = bytes_of(code);
    p.tag1260 = tag1260(tag_value);
    s.add_position(p);
}

}  // namespace

TEST_SUITE("drivers.kkt_link") {
    TEST_CASE("FN number, FN status and register status over a clean link") {
        Rig r;
        CHECK(r.session.read_fn_number() == "9999078900012345");
        const auto fn = r.session.fn_status();
        CHECK(fn.fn_number == "9999078900012345");
        CHECK_FALSE(fn.memory_nearly_full());
        CHECK_FALSE(r.session.status().document_open());
        CHECK(r.session.marking_status().check_state == 1);
        CHECK(r.session.link_stats().retransmissions == 0);
        CHECK(r.transport.reopens_ == 1);
    }

    TEST_CASE("a whole marked sale: tag 1260 and the code reach the register") {
        Rig r;
        r.session.open_receipt();
        CHECK(r.session.receipt_open());
        sell_one(r.session, kCode, "UUID=a&Time=1");
        const auto closed = r.session.close_receipt({10000, 0});
        CHECK(closed.change_kopecks == 1010);
        CHECK_FALSE(r.session.receipt_open());
        REQUIRE(r.reg.receipts().size() == 1);
        const auto& receipt = r.reg.receipts()[0];
        CHECK(receipt.state == "closed");
        REQUIRE(receipt.positions.size() == 1);
        CHECK(receipt.positions[0].code == kCode);
        CHECK(receipt.positions[0].tag1265 == "UUID=a&Time=1");
        CHECK(receipt.positions[0].item_sign == 33);
        CHECK(receipt.positions[0].price == 8990);
    }

    TEST_CASE("NAKed command frames are sent again, and executed once") {
        Rig r;
        r.session.open_receipt();
        r.reg.faults().nak_commands = 3;
        KktPosition p;
        p.name = "Bread";
        p.price_kopecks = 100;
        r.session.add_position(p);
        CHECK(r.session.link_stats().retransmissions == 3);
        CHECK(r.reg.receipts()[0].positions.size() == 1);
    }

    TEST_CASE("a lost ACK is resolved by ENQ, never by sending the command twice") {
        Rig r;
        r.session.open_receipt();
        r.reg.faults().drop_acks = 1;
        KktPosition p;
        p.name = "Bread";
        p.price_kopecks = 100;
        r.session.add_position(p);
        CHECK(r.reg.receipts()[0].positions.size() == 1);
        CHECK(r.session.link_stats().retransmissions == 0);
    }

    TEST_CASE("corrupted answers are NAKed and fetched again") {
        Rig r;
        r.reg.faults().corrupt_answers = 2;
        CHECK(r.session.read_fn_number() == "9999078900012345");
        CHECK(r.session.link_stats().bad_answers == 2);
        r.reg.faults().corrupt_answers = 100;
        try {
            r.session.read_fn_number();
            FAIL("expected a protocol error");
        } catch (const KktError& e) {
            CHECK(e.kind() == KktErrorKind::protocol);
        }
        r.reg.faults().corrupt_answers = 0;
        CHECK(r.session.read_fn_number() == "9999078900012345");
    }

    TEST_CASE("garbage before an answer and frames split byte by byte") {
        Rig r;
        r.reg.faults().garbage_answers = 2;
        r.transport.chunk_ = 1;
        CHECK(r.session.read_fn_number() == "9999078900012345");
        CHECK(r.session.fn_status().fn_number == "9999078900012345");
        CHECK(r.session.link_stats().garbage_bytes >= 8);
    }

    TEST_CASE("line noise before the register's answers") {
        Rig r;
        r.transport.noise_ = {0x00, 0x02, 0x07, 0x41, 0x42, 0x43};  // a fake STX with junk
        CHECK(r.session.read_fn_number() == "9999078900012345");
    }

    TEST_CASE("an answer held back is fetched with ENQ after T4") {
        Rig r;
        r.reg.faults().hold_answers = 1;
        CHECK(r.session.read_fn_number() == "9999078900012345");
    }

    TEST_CASE("a silent register is reported as no link, and the next command works") {
        Rig r;
        CHECK(r.session.read_fn_number() == "9999078900012345");
        r.reg.faults().silence = 3;
        try {
            r.session.read_fn_number();
            FAIL("expected no link");
        } catch (const KktError& e) {
            CHECK(e.kind() == KktErrorKind::no_link);
        }
        CHECK(r.session.read_fn_number() == "9999078900012345");
        CHECK(r.transport.reopens_ == 2);
    }

    TEST_CASE("busy (50h) is retried; past the limit it is reported") {
        Rig r;
        r.reg.faults().busy = 3;
        CHECK(r.session.read_fn_number() == "9999078900012345");
        r.reg.faults().busy = 1000;
        try {
            r.session.read_fn_number();
            FAIL("expected the busy error");
        } catch (const KktError& e) {
            CHECK(e.kind() == KktErrorKind::register_error);
            CHECK(e.code() == piotd::protocol::shtrih::kErrorPrinting);
        }
    }

    TEST_CASE("a register error inside a receipt says the receipt is still open") {
        Rig r;
        r.session.open_receipt();
        sell_one(r.session, kCode, "UUID=b&Time=2");
        r.reg.faults().fail_close = 1;
        try {
            r.session.close_receipt({10000, 0});
            FAIL("expected no paper");
        } catch (const KktError& e) {
            CHECK(e.code() == 0x6B);
            CHECK(e.receipt_open());
        }
        r.session.cancel_receipt();
        CHECK_FALSE(r.session.receipt_open());
        CHECK(r.reg.receipts()[0].state == "cancelled");
    }

    TEST_CASE("a refused code is reported by FF61 and cannot be bound") {
        Rig r;
        r.reg.faults().refuse_codes = {"Qbag"};
        r.session.open_receipt();
        const auto check = r.session.check_marking_code(bytes_of(kCode));
        CHECK(piotd::protocol::shtrih::marking_check_refused(check));
        r.session.accept_marking_code(false);
        KktPosition p;
        p.name = "Milk";
        p.price_kopecks = 1;
        p.marking_code = bytes_of(kCode);
        try {
            r.session.add_position(p);
            FAIL("expected the bind to fail");
        } catch (const KktError& e) {
            CHECK(e.code() == piotd::protocol::shtrih::kErrorCodeRefused);
            CHECK(e.receipt_open());
        }
    }

    TEST_CASE("full FN: warned in FN status, opening a receipt fails") {
        Rig r;
        r.reg.faults().fn_full = true;
        CHECK(r.session.fn_status().memory_nearly_full());
        try {
            r.session.open_receipt();
            FAIL("expected FN full");
        } catch (const KktError& e) {
            CHECK(e.code() == piotd::protocol::shtrih::kErrorFnMemoryFull);
            CHECK_FALSE(e.receipt_open());
        }
    }

    TEST_CASE("a broken transport is reported and reopened for the next command") {
        Rig r;
        CHECK(r.session.read_fn_number() == "9999078900012345");
        r.transport.break_next_write_ = true;
        try {
            r.session.read_fn_number();
            FAIL("expected a transport error");
        } catch (const KktError& e) {
            CHECK(e.kind() == KktErrorKind::transport);
        }
        CHECK(r.session.read_fn_number() == "9999078900012345");
    }

    TEST_CASE("an answer left from an abandoned exchange is discarded, not taken as ours") {
        Rig r;
        // An earlier host sent FN number and went away before reading the answer, which the
        // register still holds. The next command must get its own answer, not that one.
        r.reg.faults().hold_answers = 1;
        namespace shtrih = piotd::protocol::shtrih;
        r.reg.on_bytes(
            *shtrih::encode_frame(shtrih::encode_password_only(shtrih::Command::fn_number, 30)));
        CHECK_FALSE(r.session.status().document_open());
    }
}
