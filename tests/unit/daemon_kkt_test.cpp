// The fiscal register's daemon side: [kkt] config and --kkt, the device string, the receipt
// request body, and the sale flow against the fake register in memory with stub plug points.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/command_line.hpp"
#include "daemon/config.hpp"
#include "daemon/kkt/held_sale.hpp"
#include "daemon/kkt/kkt_json.hpp"
#include "daemon/kkt/kkt_service.hpp"
#include "daemon/kkt/receipt_flow.hpp"
#include "daemon/kkt/sale_json.hpp"
#include "protocol/kkt/kkt_receipt_request.hpp"
#include "protocol/decision/tag1260.hpp"
#include "tests/unit/kkt_memory_transport.hpp"

using namespace piotd::daemon;
using piotd::protocol::decode_receipt_request;
using piotd::protocol::RequestError;

namespace {

std::vector<std::uint8_t> tag1260_bytes(std::string_view value_1265) {
    const auto encoded = piotd::protocol::encode_tag1260(value_1265);
    REQUIRE(encoded);
    return {encoded->begin(), encoded->end()};
}

struct StubChecker : MarkedItemChecker {
    std::set<std::string> refuse;
    std::vector<std::uint64_t> prices;  // of the items checked, in order
    std::vector<std::string> drives;    // one per check() call
    std::vector<MarkedItemVerdict> check(
        const std::vector<const piotd::protocol::ReceiptItem*>& items,
        const std::string& fiscal_drive) override {
        drives.push_back(fiscal_drive);
        std::vector<MarkedItemVerdict> verdicts;
        for (const auto* item : items) {
            prices.push_back(item->price_kopecks);
            const std::string& code = *item->code;
            MarkedItemVerdict& v = verdicts.emplace_back();
            v.code = code;
            v.ki = code.substr(0, code.find('\x1d'));
            if (refuse.count(code) != 0) {
                v.reason = "blocked";
                v.message_en = "blocked";
                continue;
            }
            v.allowed = true;
            v.tag1265 = "UUID=t&Time=1";
            v.tag1260 = tag1260_bytes(v.tag1265);
        }
        return verdicts;
    }
};

struct StubRecorder : SaleRecorder {
    std::vector<Sale> sales;
    std::vector<HeldSale> holds;           // every hold() call
    std::map<std::string, HeldSale> kept;  // what is held now, by FN
    bool fail = false;
    bool fail_hold = false;
    void record(const Sale& sale) override {
        if (fail) throw std::runtime_error("disk on fire");
        sales.push_back(sale);
        kept.erase(sale.fn_number);
    }
    void hold(const Sale& sale, std::uint32_t last_document_before) override {
        if (fail_hold) throw std::runtime_error("no space left on device");
        holds.push_back({sale, last_document_before});
        kept[sale.fn_number] = holds.back();
    }
    std::optional<HeldSale> held(const std::string& fn_number) override {
        const auto it = kept.find(fn_number);
        if (it == kept.end()) return std::nullopt;
        return it->second;
    }
    void release(const std::string& fn_number) override { kept.erase(fn_number); }
};

struct Flow {
    piotd::test::FakeKktRegister reg;
    piotd::test::MemoryTransport transport{reg};
    piotd::drivers::KktSession session{transport, piotd::test::fast_kkt_options()};
    StubChecker checker;
    StubRecorder recorder;

    ReceiptOutcome sell(const std::string& body) {
        const auto request = decode_receipt_request(body);
        REQUIRE_MESSAGE(request.error == RequestError::none, request.detail);
        return run_receipt(session, checker, recorder, request, "9999078900012345", 1000);
    }
};

const std::string kTwoMarkedAndBread =
    R"({"items":[{"name":"A","price":100,"code":"0104603586014674215Unit1"},)"
    R"({"name":"B","price":200,"vat":2,"code":"0104603586014674215Unit2\u001d93abcd"},)"
    R"({"name":"Bread","price":50,"quantity":2}],"payment":{"cash":1000}})";

}  // namespace

TEST_SUITE("daemon.kkt") {
    TEST_CASE("[kkt] keys and --kkt") {
        Config config;
        set_config_value(config, "kkt", "device", "tcp://10.0.0.5:12345");
        set_config_value(config, "kkt", "baud", "9600");
        set_config_value(config, "kkt", "password", "1");
        CHECK(config.kkt_device == "tcp://10.0.0.5:12345");
        CHECK(config.kkt_baud == 9600);
        CHECK(config.kkt_password == 1);
        CHECK_THROWS_AS(set_config_value(config, "kkt", "baud", "fast"), std::runtime_error);
        CHECK_THROWS_AS(set_config_value(config, "kkt", "port", "1"), std::runtime_error);
        const char* argv[] = {"piotd", "--kkt", "/dev/ttyS0"};
        CHECK(*parse_command_line(3, argv).kkt == "/dev/ttyS0");
        const char* in_import[] = {"piotd", "import", "--kkt", "/dev/ttyS0"};
        CHECK_THROWS_AS(parse_command_line(4, in_import), UsageError);
    }

    TEST_CASE("the device string: serial path or tcp://HOST[:PORT]") {
        CHECK(make_kkt_transport("tcp://127.0.0.1:4000", 0)->describe() == "tcp://127.0.0.1:4000");
        CHECK(make_kkt_transport("tcp://kkt.local", 0)->describe() == "tcp://kkt.local:12345");
        CHECK(make_kkt_transport("/dev/ttyS0", 9600)->describe() == "/dev/ttyS0 at 9600");
        CHECK_THROWS_AS(make_kkt_transport("tcp://:1", 0), std::runtime_error);
        CHECK_THROWS_AS(make_kkt_transport("tcp://h:99999", 0), std::runtime_error);
        CHECK_THROWS_AS(make_kkt_transport("tcp://h:x", 0), std::runtime_error);
        CHECK_THROWS_AS(make_kkt_transport("ttyS0", 9600), std::runtime_error);
        CHECK_THROWS_AS(make_kkt_transport("/dev/ttyS0", 1234), std::runtime_error);
    }

    TEST_CASE("receipt request: fields, defaults and hostile values") {
        const auto ok = decode_receipt_request(kTwoMarkedAndBread);
        REQUIRE(ok.error == RequestError::none);
        REQUIRE(ok.items.size() == 3);
        CHECK(ok.items[0].vat == 1);
        CHECK(ok.items[1].vat == 2);
        CHECK(*ok.items[1].code ==
              "0104603586014674215Unit2\x1d"
              "93abcd");
        CHECK(ok.items[2].quantity_millionths == 2'000'000);
        CHECK_FALSE(ok.items[2].code);
        CHECK(ok.total_kopecks() == 400);
        CHECK(ok.cash_kopecks == 1000);

        const auto error = [](const std::string& body) {
            return decode_receipt_request(body).error;
        };
        CHECK(error("") == RequestError::invalid_json);
        CHECK(error("[]") == RequestError::invalid_json);
        CHECK(error(R"({"payment":{}})") == RequestError::missing_field);
        CHECK(error(R"({"items":[],"payment":{}})") == RequestError::empty_list);
        CHECK(error(R"({"items":{},"payment":{}})") == RequestError::invalid_field);
        CHECK(error(R"({"items":[{"price":1}],"payment":{}})") == RequestError::missing_field);
        CHECK(error(R"({"items":[{"name":"a","price":1.5}],"payment":{"cash":9}})") ==
              RequestError::invalid_field);
        CHECK(error(R"({"items":[{"name":"a","price":1}],"payment":{"cash":-1}})") ==
              RequestError::invalid_field);
        CHECK(error(R"({"items":[{"name":"a","price":99999999999}],"payment":{"cash":1}})") ==
              RequestError::invalid_field);
        CHECK(error(R"({"items":[{"name":"a","price":1,"vat":7}],"payment":{"cash":1}})") ==
              RequestError::invalid_field);
        CHECK(error(R"({"items":[{"name":"a","price":1,"quantity":0}],"payment":{"cash":1}})") ==
              RequestError::invalid_field);
        CHECK(
            error(
                R"({"items":[{"name":"a","price":1,"quantity":2,"code":"x"}],"payment":{"cash":2}})") ==
            RequestError::invalid_field);
        CHECK(error(R"({"items":[{"name":"a","price":10}],"payment":{"cash":9}})") ==
              RequestError::invalid_field);
        CHECK(error(R"({"items":[{"name":"a","price":10}],"payment":{"electronic":11}})") ==
              RequestError::invalid_field);
        std::string many = R"({"items":[)";
        for (int i = 0; i < 101; ++i)
            many += std::string(i ? "," : "") + R"({"name":"a","price":1})";
        CHECK(error(many + R"(],"payment":{"cash":101}})") == RequestError::too_many_codes);
    }

    TEST_CASE("sale flow: two marked items and one plain, recorded") {
        Flow f;
        const auto outcome = f.sell(kTwoMarkedAndBread);
        REQUIRE(outcome.success);
        CHECK(outcome.success->close.change_kopecks == 600);
        REQUIRE(f.recorder.sales.size() == 1);
        const Sale& sale = f.recorder.sales[0];
        CHECK(sale.fn_number == "9999078900012345");
        // The checker saw each marked line's price and the register's FN number.
        CHECK(f.checker.prices == std::vector<std::uint64_t>{100, 200});
        // One check for the receipt's codes.
        CHECK(f.checker.drives == std::vector<std::string>{"9999078900012345"});
        REQUIRE(sale.items.size() == 2);
        CHECK(sale.items[1].ki == "0104603586014674215Unit2");
        CHECK(sale.items[1].code ==
              "0104603586014674215Unit2\x1d"
              "93abcd");
        const auto& receipt = f.reg.receipts().at(0);
        CHECK(receipt.state == "closed");
        REQUIRE(receipt.positions.size() == 3);
        CHECK(receipt.positions[1].tax_rate == 0x02);
        CHECK(receipt.positions[1].tag1265 == "UUID=t&Time=1");
        CHECK(receipt.positions[2].quantity == 2'000'000);
        CHECK(receipt.positions[2].code.empty());
    }

    TEST_CASE("sale flow: piotd refuses a code before anything reaches the register") {
        Flow f;
        f.checker.refuse.insert(
            "0104603586014674215Unit2\x1d"
            "93abcd");
        const auto outcome = f.sell(kTwoMarkedAndBread);
        REQUIRE_FALSE(outcome.success);
        CHECK(outcome.failure.status == piotd::daemon::http::status::unprocessable_entity);
        CHECK(outcome.failure.stage == "check_code");
        CHECK(*outcome.failure.item == 1);
        CHECK_FALSE(outcome.failure.receipt_open);
        CHECK(f.reg.commands() == 0);
        CHECK(f.recorder.sales.empty());
    }

    TEST_CASE("sale flow: a receipt left open is cancelled first") {
        Flow f;
        f.session.open_receipt();
        const auto outcome = f.sell(kTwoMarkedAndBread);
        REQUIRE(outcome.success);
        CHECK(outcome.success->leftover_cancelled);
        CHECK(f.reg.receipts().at(0).state == "cancelled");
        CHECK(f.reg.receipts().at(1).state == "closed");
    }

    TEST_CASE("sale flow: the register refuses a code: declined, cancelled, not recorded") {
        Flow f;
        f.reg.faults().refuse_codes = {"Unit2"};
        const auto outcome = f.sell(kTwoMarkedAndBread);
        REQUIRE_FALSE(outcome.success);
        CHECK(outcome.failure.reason == "register_refused");
        CHECK(outcome.failure.receipt_cancelled);
        CHECK_FALSE(outcome.failure.receipt_open);
        CHECK(f.reg.receipts().at(0).state == "cancelled");
        CHECK(f.reg.command_counts().at("accept_marking_code") == 2);  // accept, then decline
        CHECK(f.recorder.sales.empty());
    }

    TEST_CASE("sale flow: a code too long for one frame is a 400 before anything is printed") {
        Flow f;
        const std::string code = "0104603586014674215" + std::string(280, 'A');
        const auto outcome = f.sell(R"({"items":[{"name":"a","price":1,"code":")" + code +
                                    R"("}],"payment":{"cash":1}})");
        REQUIRE_FALSE(outcome.success);
        CHECK(outcome.failure.status == piotd::daemon::http::status::bad_request);
        CHECK(outcome.failure.stage == "check_code");
        CHECK_FALSE(outcome.failure.receipt_open);
        CHECK(f.reg.commands() == 0);
    }

    TEST_CASE("sale flow: the sale is fiscal even when recording it fails, and recorded later") {
        Flow f;
        f.recorder.fail = true;
        const auto outcome = f.sell(kTwoMarkedAndBread);
        REQUIRE(outcome.success);
        CHECK_FALSE(outcome.success->sale_recorded);
        CHECK(outcome.success->record_error == "disk on fire");
        CHECK(f.reg.receipts().at(0).state == "closed");
        // Still held: the next sale finds the FN one document further and records it first.
        REQUIRE(f.recorder.kept.count("9999078900012345") == 1);
        f.recorder.fail = false;
        const auto next = f.sell(kTwoMarkedAndBread);
        REQUIRE(next.success);
        REQUIRE(f.recorder.sales.size() == 2);
        CHECK(f.recorder.sales[0].document_number == outcome.success->close.document_number);
        CHECK(f.recorder.sales[0].items.size() == 2);
        CHECK(f.recorder.sales[1].document_number == next.success->close.document_number);
        CHECK(f.recorder.kept.empty());
    }

    TEST_CASE("sale flow: the sale is held before FF45 with the FN's last document number") {
        Flow f;
        const auto outcome = f.sell(kTwoMarkedAndBread);
        REQUIRE(outcome.success);
        REQUIRE(f.recorder.holds.size() == 1);
        CHECK(f.recorder.holds[0].last_document_before + 1 ==
              outcome.success->close.document_number);
        CHECK(f.recorder.holds[0].sale.items.size() == 2);
        CHECK(f.recorder.kept.empty());  // released by the record
    }

    TEST_CASE("sale flow: a receipt without marked items holds nothing and asks no FF01") {
        Flow f;
        const auto outcome =
            f.sell(R"({"items":[{"name":"Bread","price":50}],"payment":{"cash":50}})");
        REQUIRE(outcome.success);
        CHECK(f.recorder.holds.empty());
        CHECK(f.reg.command_counts().count("fn_status") == 0);
        CHECK(f.reg.receipts().at(0).state == "closed");
    }

    TEST_CASE("sale flow: a sale that cannot be held is never printed") {
        Flow f;
        f.recorder.fail_hold = true;
        const auto outcome = f.sell(kTwoMarkedAndBread);
        REQUIRE_FALSE(outcome.success);
        CHECK(outcome.failure.error == ApiError::storage_unavailable);
        CHECK(outcome.failure.stage == "hold");
        CHECK(outcome.failure.receipt_cancelled);
        CHECK(f.reg.receipts().at(0).state == "cancelled");
        CHECK(f.recorder.sales.empty());
    }

    TEST_CASE("sale flow: the link dies while the receipt prints: recorded at the next sale") {
        // How many commands a whole sale takes, FF45 being the last.
        std::size_t commands = 0;
        {
            Flow probe;
            REQUIRE(probe.sell(kTwoMarkedAndBread).success);
            commands = probe.reg.commands();
        }
        Flow f;
        f.reg.faults().hold_close = 1;  // FF45 prints, its answer is held ...
        f.reg.faults().silence_after = static_cast<int>(commands);  // ... and never sent
        const auto outcome = f.sell(kTwoMarkedAndBread);
        REQUIRE_FALSE(outcome.success);
        CHECK(outcome.failure.stage == "close");
        CHECK(f.reg.receipts().at(0).state == "closed");
        CHECK(f.recorder.sales.empty());
        f.reg.faults() = {};
        f.reg.reset_link();
        const auto next = f.sell(kTwoMarkedAndBread);
        REQUIRE(next.success);
        REQUIRE(f.recorder.sales.size() == 2);
        CHECK(f.recorder.sales[0].document_number + 1 == next.success->close.document_number);
        CHECK(f.recorder.sales[0].items.size() == 2);
    }

    TEST_CASE("sale flow: a held sale whose receipt was not printed is released, not recorded") {
        Flow f;
        Sale sale;
        sale.fn_number = "9999078900012345";
        sale.items.push_back(
            SoldItem{"0104603586014674215Never", "0104603586014674215Never", 1, {}});
        const auto status = f.session.fn_status();
        f.recorder.hold(sale, status.last_document);  // nothing printed since
        const auto first = f.sell(kTwoMarkedAndBread);
        REQUIRE(first.success);
        CHECK(first.attention.empty());
        REQUIRE(f.recorder.sales.size() == 1);
        CHECK(f.recorder.sales[0].items.at(0).ki == "0104603586014674215Unit1");

        f.recorder.hold(sale, 3);  // other documents since: unknown, released unrecorded
        const auto second = f.sell(kTwoMarkedAndBread);
        REQUIRE(second.success);
        CHECK(f.recorder.sales.size() == 2);
        CHECK(f.recorder.kept.empty());
        // ... and a technician is told what to check.
        CHECK(second.attention.find("after document 3, and the FN is now at document") !=
              std::string::npos);
        CHECK(second.attention.find("its 1 marked codes are not marked sold") != std::string::npos);
    }

    TEST_CASE("sale flow: a printed held sale that cannot be recorded asks for attention") {
        Flow f;
        f.recorder.fail = true;
        REQUIRE(f.sell(kTwoMarkedAndBread).success);   // printed, held, not recorded
        const auto next = f.sell(kTwoMarkedAndBread);  // the settle's recording fails again
        REQUIRE(next.success);
        CHECK(next.attention.find("was printed but cannot be recorded: disk on fire") !=
              std::string::npos);
    }

    TEST_CASE("register status JSON: attention is null, or the message and when") {
        KktState state;
        CHECK(kkt_status_json(state).find(R"("attention":null)") != std::string::npos);
        state.attention = "check document 42";
        state.attention_ms = 1795434511298;
        CHECK(kkt_status_json(state).find(
                  R"("attention":{"message":"check document 42","at":1795434511298})") !=
              std::string::npos);
    }

    TEST_CASE("held sale fate: from the FN's last document and open document") {
        piotd::protocol::shtrih::FnStatus fn;
        fn.last_document = 41;
        CHECK(held_sale_fate(40, fn) == HeldSaleFate::printed);
        CHECK(held_sale_fate(41, fn) == HeldSaleFate::not_printed);
        CHECK(held_sale_fate(39, fn) == HeldSaleFate::unknown);
        CHECK(held_sale_fate(45, fn) == HeldSaleFate::unknown);
        fn.document = 1;  // a receipt still open in the FN
        CHECK(held_sale_fate(40, fn) == HeldSaleFate::not_printed);
        fn.document = 0;
        fn.last_document = 0;  // FN counters do not wrap: 0 is not one more than 0xFFFFFFFF
        CHECK(held_sale_fate(0xFFFF'FFFF, fn) == HeldSaleFate::unknown);
    }

    TEST_CASE("sale JSON: round trip, and stored garbage refused") {
        Sale sale;
        sale.fn_number = "9999078900012345";
        sale.document_number = 7;
        sale.fiscal_sign = 123456;
        sale.time_ms = 1'700'000'000'000;
        sale.items.push_back(SoldItem{"0104603586014674215A",
                                      "0104603586014674215A\x1d"
                                      "93ab",
                                      990, "UUID=x&Time=1"});
        const auto back = read_sale_json(write_sale_json(sale));
        REQUIRE(back);
        CHECK(back->fn_number == sale.fn_number);
        CHECK(back->document_number == 7);
        CHECK(back->fiscal_sign == 123456);
        CHECK(back->time_ms == sale.time_ms);
        REQUIRE(back->items.size() == 1);
        CHECK(back->items[0].code == sale.items[0].code);
        CHECK(back->items[0].price_kopecks == 990);
        CHECK(back->items[0].tag1265 == "UUID=x&Time=1");
        CHECK_FALSE(read_sale_json(""));
        CHECK_FALSE(read_sale_json("[]"));
        CHECK_FALSE(read_sale_json(R"({"fnNumber":1})"));
        CHECK_FALSE(read_sale_json(
            R"({"fnNumber":"1","documentNumber":-1,"fiscalSign":0,"timeMs":0,"items":[]})"));
        CHECK_FALSE(read_sale_json(
            R"({"fnNumber":"1","documentNumber":1,"fiscalSign":0,"timeMs":0,"items":[{"ki":""}]})"));
        CHECK_FALSE(read_sale_json(std::string(100'000, '[')));
    }

    TEST_CASE("sale flow: the link dies mid-receipt: reported open, cancel impossible") {
        Flow f;
        f.reg.faults().silence_after = 4;  // status, open, FF61, FF69; then nothing
        const auto outcome = f.sell(kTwoMarkedAndBread);
        REQUIRE_FALSE(outcome.success);
        CHECK(outcome.failure.error == ApiError::kkt_unavailable);
        CHECK(outcome.failure.receipt_open);
        CHECK_FALSE(outcome.failure.receipt_cancelled);
        CHECK(f.reg.receipt_open());
        f.reg.faults() = {};
        const auto retry = f.sell(kTwoMarkedAndBread);
        REQUIRE(retry.success);
        CHECK(retry.success->leftover_cancelled);
    }
}
