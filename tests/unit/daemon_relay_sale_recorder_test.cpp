// RelaySaleRecorder: a register's sale through the relay's sell path (sold set + outbox document
// in one transaction), and the status sources the daemon plugs into the status page.
#include <doctest/doctest.h>

#include "daemon/clock.hpp"
#include "daemon/config.hpp"
#include "daemon/kkt/relay_sale_recorder.hpp"
#include "daemon/local_module.hpp"
#include "daemon/ops/device_status_list.hpp"
#include "daemon/relay/relay_service.hpp"
#include "protocol/documents/relay_document.hpp"
#include "storage/transaction.hpp"
#include "tests/unit/storage_test_support.hpp"

using namespace piotd::daemon;

namespace {

struct Relayed {
    piotd::storage::test::TempDir dir;
    Config config;
    Clock clock;
    std::unique_ptr<LocalModule> module;
    std::unique_ptr<RelayService> relay;

    explicit Relayed(const std::string& relay_url = {}) {
        config.data_dir = dir.path();
        config.relay.url = relay_url;
        module = std::make_unique<LocalModule>(config, clock);
        relay = std::make_unique<RelayService>(*module, config, clock);
    }
    bool sold(const std::string& ki) {
        piotd::storage::ReadTxn txn(module->env());
        return txn.get(piotd::storage::Db::sold, ki).has_value();
    }
};

Sale sale_of(std::uint32_t document, const std::vector<std::string>& kis) {
    Sale sale;
    sale.fn_number = "9999078900012345";
    sale.document_number = document;
    sale.fiscal_sign = 77;
    for (const auto& ki : kis) sale.items.push_back(SoldItem{ki, ki, 8990, {}});
    return sale;
}

const std::string kA = "0104603586014674215RecordA0001";
const std::string kB = "0104603586014674215RecordB0002";

}  // namespace

TEST_SUITE("daemon.relay_sale_recorder") {
    TEST_CASE("a sale marks the codes sold and stores one withdrawal document keyed by FN+FD") {
        Relayed r;
        RelaySaleRecorder recorder(r.relay->intake(), r.module->env());
        recorder.record(sale_of(41, {kA, kB}));
        CHECK(r.sold(kA));
        CHECK(r.sold(kB));
        const auto record = r.relay->outbox().find("kkt-9999078900012345-41");
        REQUIRE(record);
        CHECK(record->state == piotd::storage::OutboxState::local);  // no relay configured
        const auto parsed = piotd::protocol::parse_document(record->document, "");
        REQUIRE(parsed.ok);
        CHECK(parsed.document.type == piotd::protocol::DocumentType::withdrawal);
        REQUIRE(parsed.document.items.size() == 2);
        CHECK(parsed.document.items[0].cis == kA);

        // The same receipt again (a retry): no second document, no error.
        recorder.record(sale_of(41, {kA, kB}));
        CHECK(r.relay->outbox().counts().total == 1);
        // Another receipt of codes already sold: the sale is fiscal, but it is reported.
        CHECK_THROWS_AS(recorder.record(sale_of(42, {kA})), std::runtime_error);
        CHECK(r.relay->outbox().counts().total == 1);
        // No marked items: nothing to record.
        recorder.record(sale_of(43, {}));
        CHECK(r.relay->outbox().counts().total == 1);
    }

    TEST_CASE("a held sale is kept in LMDB until recorded or released") {
        Relayed r;
        RelaySaleRecorder recorder(r.relay->intake(), r.module->env());
        CHECK_FALSE(recorder.held("9999078900012345"));
        Sale sale = sale_of(0, {kA, kB});
        recorder.hold(sale, 40);
        // A new recorder over the same environment: it is on disk, not in the object.
        RelaySaleRecorder after_restart(r.relay->intake(), r.module->env());
        const auto held = after_restart.held("9999078900012345");
        REQUIRE(held);
        CHECK(held->last_document_before == 40);
        REQUIRE(held->sale.items.size() == 2);
        CHECK(held->sale.items[1].ki == kB);
        CHECK_FALSE(r.sold(kA));  // held is not sold
        sale.document_number = 41;
        after_restart.record(sale);
        CHECK(r.sold(kA));
        CHECK_FALSE(after_restart.held("9999078900012345"));
        // Recording the same receipt again (a settle after a lost release) changes nothing.
        after_restart.record(sale);
        CHECK(r.relay->outbox().find("kkt-9999078900012345-41"));

        recorder.hold(sale_of(0, {"0104603586014674215Released1"}), 41);
        recorder.release("9999078900012345");
        CHECK_FALSE(recorder.held("9999078900012345"));
    }

    TEST_CASE("a held sale that does not read back is dropped, not trusted") {
        Relayed r;
        RelaySaleRecorder recorder(r.relay->intake(), r.module->env());
        for (const std::string& value : {std::string("garbage"), std::string("12\n{not json"),
                                         std::string("12\n{\"fnNumber\":\"other\"}")}) {
            {
                piotd::storage::WriteTxn txn(r.module->env());
                txn.put(piotd::storage::Db::meta, "held_sale/9999078900012345", value);
                txn.commit();
            }
            CHECK_FALSE(recorder.held("9999078900012345"));
            piotd::storage::ReadTxn txn(r.module->env());
            CHECK_FALSE(txn.get(piotd::storage::Db::meta, "held_sale/9999078900012345"));
        }
    }

    TEST_CASE("before the FN number is known the document gets a fresh id") {
        Sale sale = sale_of(5, {kA});
        CHECK(sale_document_id(sale) == "kkt-9999078900012345-5");
        CHECK(piotd::protocol::valid_document_id(sale_document_id(sale)));
        sale.fn_number.clear();
        CHECK(sale_document_id(sale).empty());
        Relayed r;
        RelaySaleRecorder(r.relay->intake(), r.module->env()).record(sale);
        CHECK(r.sold(kA));
        CHECK(r.relay->outbox().counts().total == 1);
    }

    TEST_CASE("the relay's outbox status: pending documents, their age, dead letters, warnings") {
        Relayed r("http://127.0.0.1:9");  // never started: documents stay queued
        CHECK(r.relay->outbox_status().queued == 0);
        CHECK_FALSE(r.relay->outbox_status().oldest_age_ms);
        RelaySaleRecorder(r.relay->intake(), r.module->env()).record(sale_of(1, {kA}));
        const OutboxStatus status = r.relay->outbox_status();
        CHECK(status.queued == 1);
        REQUIRE(status.oldest_age_ms);
        CHECK(*status.oldest_age_ms >= 0);
        CHECK(status.dead_letters == 0);
        for (const auto& warning : status.warnings) CHECK(warning != "dead_letters");
    }

    TEST_CASE("the device list calls every source when the page is gathered") {
        DeviceStatusList list;
        CHECK(list.empty());
        int calls = 0;
        list.add([&] {
            ++calls;
            return DeviceStatus{"scanner", "/dev/ttyACM0", "ok", "scans: 3"};
        });
        list.add([] { return DeviceStatus{"register", "tcp://kkt:7778", "disconnected", ""}; });
        const auto rows = list.devices();
        REQUIRE(rows.size() == 2);
        CHECK(rows[0].detail == "scans: 3");
        CHECK(rows[1].state == "disconnected");
        list.devices();
        CHECK(calls == 2);
    }
}
