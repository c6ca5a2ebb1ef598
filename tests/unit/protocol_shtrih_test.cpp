#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/text/cp1251.hpp"
#include "protocol/kkt/ffd_tlv.hpp"
#include "protocol/kkt/shtrih_command.hpp"
#include "protocol/kkt/shtrih_error.hpp"
#include "protocol/kkt/shtrih_frame.hpp"
#include "protocol/kkt/shtrih_reply.hpp"
#include "protocol/decision/tag1260.hpp"

using namespace piotd::protocol;
using namespace piotd::protocol::shtrih;
using Bytes = std::vector<std::uint8_t>;

namespace {

// Feeds bytes one by one and collects what the decoder emits.
std::vector<FrameEvent> decode_all(FrameDecoder& d, const Bytes& bytes) {
    std::vector<FrameEvent> events;
    for (const auto b : bytes) {
        if (auto e = d.push(b)) events.push_back(std::move(*e));
    }
    return events;
}

Bytes unframe(const Bytes& frame) {
    FrameDecoder d;
    auto events = decode_all(d, frame);
    REQUIRE(events.size() == 1);
    REQUIRE(events[0].kind == FrameEventKind::frame);
    return events[0].payload;
}

// The FN status answer from tspiot-kkt.md §B.2.1 (re-star-ru/shtrih-m-driver docs/out.txt).
const Bytes kFnStatusReply{0x02, 0x21, 0xFF, 0x01, 0x00, 0x03, 0x00, 0x00, 0x01, 0x00, 0x15, 0x07,
                           0x1D, 0x0B, 0x1D, 0x39, 0x32, 0x38, 0x37, 0x34, 0x34, 0x30, 0x33, 0x30,
                           0x31, 0x31, 0x32, 0x30, 0x39, 0x39, 0x31, 0xA9, 0x01, 0x00, 0x00, 0x68};

}  // namespace

TEST_SUITE("protocol.shtrih") {
    TEST_CASE("golden frames: cancel receipt and FN status requests") {
        CHECK(*encode_frame(encode_password_only(Command::cancel_receipt, 30)) ==
              Bytes{0x02, 0x05, 0x88, 0x1E, 0x00, 0x00, 0x00, 0x93});
        CHECK(*encode_frame(encode_password_only(Command::fn_status, 30)) ==
              Bytes{0x02, 0x06, 0xFF, 0x01, 0x1E, 0x00, 0x00, 0x00, 0xE6});
    }

    TEST_CASE("golden frames: cancel receipt answer") {
        const Bytes payload = unframe({0x02, 0x03, 0x88, 0x00, 0x1E, 0x95});
        const auto reply = parse_reply(payload);
        REQUIRE(reply);
        CHECK(reply->raw_command == 0x88);
        CHECK(reply->error == 0);
        CHECK(reply->data.size() == 1);
        CHECK(reply->data[0] == 30);
        CHECK(*encode_frame(encode_reply(Command::cancel_receipt, 0, Bytes{0x1E})) ==
              Bytes{0x02, 0x03, 0x88, 0x00, 0x1E, 0x95});
    }

    TEST_CASE("golden frames: FN status answer carries the FN number") {
        const Bytes payload = unframe(kFnStatusReply);
        const auto reply = parse_reply(payload);
        REQUIRE(reply);
        CHECK(reply->raw_command == 0xFF01);
        CHECK(reply->error == 0);
        const auto status = decode_fn_status(reply->data);
        REQUIRE(status);
        CHECK(status->fn_number == "9287440301120991");
        CHECK(status->state == 3);
        CHECK(status->shift_open);
        CHECK(status->last_document == 0x1A9);
        CHECK_FALSE(status->memory_nearly_full());
        // Re-encoding gives the same bytes back.
        CHECK(*encode_frame(encode_reply(Command::fn_status, 0, encode_fn_status(*status))) ==
              kFnStatusReply);
    }

    TEST_CASE("an error answer has only CMD and ERR") {
        const auto reply = parse_reply(Bytes{0xFF, 0x61, 0x50});
        REQUIRE(reply);
        CHECK(reply->raw_command == 0xFF61);
        CHECK(reply->error == 0x50);
        CHECK(reply->data.empty());
        CHECK(encode_reply(Command::check_marking_code, 0x50, Bytes{1, 2, 3}) ==
              Bytes{0xFF, 0x61, 0x50});
        CHECK_FALSE(parse_reply(Bytes{0xFF, 0x61}));
        CHECK_FALSE(parse_reply(Bytes{0x88}));
        CHECK_FALSE(parse_reply(Bytes{}));
    }

    TEST_CASE("frame encoding refuses empty and oversized payloads") {
        CHECK_FALSE(encode_frame(Bytes{}));
        CHECK_FALSE(encode_frame(Bytes(256, 0x41)));
        const auto frame = encode_frame(Bytes(255, 0x41));
        REQUIRE(frame);
        CHECK(frame->size() == 258);
        CHECK(unframe(*frame) == Bytes(255, 0x41));
    }

    TEST_CASE("decoder: control bytes, garbage, split and corrupted frames") {
        FrameDecoder d;
        Bytes stream{0x06, 0x41, 0x42, 0x15};  // ACK, garbage, NAK
        const Bytes good{0x02, 0x03, 0x88, 0x00, 0x1E, 0x95};
        Bytes bad = good;
        bad[4] ^= 0x01;
        stream.insert(stream.end(), bad.begin(), bad.end());
        stream.push_back(0x00);  // garbage between frames
        stream.insert(stream.end(), good.begin(), good.end());
        const auto events = decode_all(d, stream);
        REQUIRE(events.size() == 4);
        CHECK(events[0].kind == FrameEventKind::control);
        CHECK(events[0].control == kAck);
        CHECK(events[1].control == kNak);
        CHECK(events[2].kind == FrameEventKind::bad_lrc);
        CHECK(events[3].kind == FrameEventKind::frame);
        CHECK(events[3].payload == Bytes{0x88, 0x00, 0x1E});
        CHECK(d.garbage() == 3);
    }

    TEST_CASE("decoder: LEN 0 is not a frame, reset drops a partial frame") {
        FrameDecoder d;
        CHECK(decode_all(d, {0x02, 0x00}).empty());
        CHECK_FALSE(d.in_frame());
        CHECK(decode_all(d, {0x02, 0x05, 0x88}).empty());
        CHECK(d.in_frame());
        d.reset();
        CHECK_FALSE(d.in_frame());
        const auto events = decode_all(d, {0x02, 0x03, 0x88, 0x00, 0x1E, 0x95});
        REQUIRE(events.size() == 1);
        CHECK(events[0].kind == FrameEventKind::frame);
    }

    TEST_CASE("short status: mode nibble and open document") {
        ShortStatus s;
        s.operator_number = 30;
        s.mode = 0x08;
        const auto decoded = decode_short_status(encode_short_status(s));
        REQUIRE(decoded);
        CHECK(decoded->document_open());
        CHECK(decoded->operator_number == 30);
        CHECK(encode_password_only(Command::short_status, 30) == Bytes{0x10, 0x1E, 0, 0, 0});
        CHECK_FALSE(decode_short_status(Bytes{1, 2, 3}));
    }

    TEST_CASE("device status (11h): 46 bytes, the fields an FN register still fills") {
        DeviceStatus s;
        s.operator_number = 30;
        s.firmware[0] = 'C';
        s.firmware[1] = '2';
        s.firmware_build = 25;
        s.document_number = 77;
        s.mode = 0x08;
        s.date[0] = 23;
        s.time[0] = 11;
        s.serial_number = 12345678;
        s.shift_number = 9;
        s.inn = 7700000001;
        const auto bytes = encode_device_status(s);
        CHECK(bytes.size() == 46);
        CHECK(bytes[13] == 0x08);  // mode at offset 14 (1-based)
        const auto d = decode_device_status(bytes);
        REQUIRE(d);
        CHECK(d->firmware[0] == 'C');
        CHECK(d->firmware_build == 25);
        CHECK(d->document_number == 77);
        CHECK(d->mode_proper() == 8);
        CHECK(d->date[0] == 23);
        CHECK(d->time[0] == 11);
        CHECK(d->serial_number == 12345678);
        CHECK(d->shift_number == 9);
        CHECK(d->inn == 7700000001);
        CHECK_FALSE(decode_device_status(std::span(bytes).first(45)));
        CHECK(encode_password_only(Command::status, 30) == Bytes{0x11, 0x1E, 0, 0, 0});
    }

    TEST_CASE("FN number: 16 digits or nothing") {
        const std::string digits = "9287440301120991";
        CHECK(*decode_fn_number(Bytes(digits.begin(), digits.end())) == digits);
        CHECK_FALSE(decode_fn_number(Bytes(15, '1')));
        Bytes letters(16, '1');
        letters[3] = 'x';
        CHECK_FALSE(decode_fn_number(letters));
        CHECK(encode_password_only(Command::fn_number, 30) == Bytes{0xFF, 0x02, 0x1E, 0, 0, 0});
    }

    TEST_CASE("open receipt: password and type") {
        CHECK(encode_open_receipt(30, ReceiptType::sale) == Bytes{0x8D, 0x1E, 0, 0, 0, 0});
        CHECK(encode_open_receipt(1, ReceiptType::sale_return) == Bytes{0x8D, 1, 0, 0, 0, 2});
    }

    TEST_CASE("FF61: layout, limits and the answer") {
        const Bytes code{'0', '1', 'X'};
        const Bytes tlv{0xFC, 0x07, 0x01, 0x00, 0x00};
        const auto payload = encode_check_marking_code(30, kPlannedPieceSold, code, tlv);
        REQUIRE(payload);
        CHECK(*payload == Bytes{0xFF, 0x61, 0x1E, 0, 0, 0, 1, 0, 3, 5, '0', '1', 'X', 0xFC, 0x07,
                                0x01, 0x00, 0x00});
        CHECK_FALSE(encode_check_marking_code(30, 1, Bytes{}));
        CHECK_FALSE(encode_check_marking_code(30, 1, Bytes(256, '1')));
        CHECK_FALSE(encode_check_marking_code(30, 1, Bytes(250, '1')));  // frame over 255

        MarkingCheck positive;
        positive.local_result = 0x03;
        positive.code_type = 2;
        positive.online = true;
        positive.item_result = 15;
        const auto decoded = decode_marking_check(encode_marking_check(positive));
        REQUIRE(decoded);
        CHECK(decoded->online);
        CHECK(decoded->item_result == 15);
        CHECK_FALSE(marking_check_refused(*decoded));

        MarkingCheck offline;
        offline.local_result = 0x03;
        const auto offline_decoded = decode_marking_check(encode_marking_check(offline));
        REQUIRE(offline_decoded);
        CHECK_FALSE(offline_decoded->online);
        CHECK(encode_marking_check(offline) == Bytes{0x03, 0, 0, 0});

        MarkingCheck crypto_failed = offline;
        crypto_failed.local_result = 0x01;
        CHECK(marking_check_refused(crypto_failed));
        MarkingCheck status_wrong = positive;
        status_wrong.item_result = 0x07;  // OISM answered, planned status not confirmed
        CHECK(marking_check_refused(status_wrong));
        // An extra-data length that runs past the end is refused, not overread.
        CHECK_FALSE(decode_marking_check(Bytes{0x03, 0, 2, 9, 0, 15}));
        CHECK_FALSE(decode_marking_check(Bytes{0x03, 0, 2}));
    }

    TEST_CASE("FF69 accept/decline and its 2106") {
        CHECK(encode_accept_marking_code(30, true) == Bytes{0xFF, 0x69, 0x1E, 0, 0, 0, 1});
        CHECK(encode_accept_marking_code(30, false) == Bytes{0xFF, 0x69, 0x1E, 0, 0, 0, 0});
        CHECK(*decode_accept_result(Bytes{15}) == 15);
        CHECK_FALSE(decode_accept_result(Bytes{}));
    }

    TEST_CASE("FF46 operation: fields in order, name cut at 128 bytes") {
        Operation op;
        op.quantity_millionths = 2'000'000;
        op.price_kopecks = 12345;
        op.tax_rate = 0x02;
        op.item_sign = 33;
        op.name = {'M', 'i', 'l', 'k'};
        const auto payload = encode_operation(30, op);
        REQUIRE(payload);
        const Bytes expected{0xFF, 0x46, 0x1E, 0,    0,    0,  // password
                             1,                                // приход
                             0x80, 0x84, 0x1E, 0,    0,    0,  // 2'000'000
                             0x39, 0x30, 0,    0,    0,        // 12345
                             0xFF, 0xFF, 0xFF, 0xFF, 0xFF,     // sum: register computes
                             0xFF, 0xFF, 0xFF, 0xFF, 0xFF,     // tax: register computes
                             0x02, 1,    4,    33,   'M',  'i', 'l', 'k'};
        CHECK(*payload == expected);
        op.name.assign(300, 'a');
        CHECK(encode_operation(30, op)->size() == 32 + 128);
        op.price_kopecks = 0x1'00'0000'0000;
        CHECK_FALSE(encode_operation(30, op));
    }

    TEST_CASE("FF4D operation TLV and FF67 binding") {
        const Bytes tlv{0xEC, 0x04, 0x01, 0x00, 0x41};
        CHECK(*encode_operation_tlv(30, tlv) ==
              Bytes{0xFF, 0x4D, 0x1E, 0, 0, 0, 0xEC, 0x04, 0x01, 0x00, 0x41});
        CHECK_FALSE(encode_operation_tlv(30, Bytes(251, 1)));
        CHECK_FALSE(encode_operation_tlv(30, Bytes{}));
        CHECK(*encode_bind_marking_code(30, Bytes{'0', '1'}) ==
              Bytes{0xFF, 0x67, 0x1E, 0, 0, 0, 2, '0', '1'});
        const auto bind = decode_bind_result(Bytes{0x44, 0x4D, 0x02});
        REQUIRE(bind);
        CHECK(bind->product_code == 0x4D44);
        CHECK(bind->datamatrix_type == 2);
        CHECK_FALSE(decode_bind_result(Bytes{0x44}));
    }

    TEST_CASE("FF45 close receipt: 16 payments, rounding, 6 taxes, tax system") {
        CloseReceipt close;
        close.payments[0] = 100;
        close.payments[1] = 0x0102;
        const auto payload = encode_close_receipt(30, close);
        REQUIRE(payload.size() == 2 + 4 + 16 * 5 + 1 + 6 * 5 + 1);
        CHECK(payload[6] == 100);
        CHECK(payload[11] == 0x02);
        CHECK(payload[12] == 0x01);
        CHECK(payload.back() == 1);
        CloseResult result{150, 77, 0xDEADBEEF};
        const auto decoded = decode_close_result(encode_close_result(result));
        REQUIRE(decoded);
        CHECK(decoded->change_kopecks == 150);
        CHECK(decoded->document_number == 77);
        CHECK(decoded->fiscal_sign == 0xDEADBEEF);
        CHECK_FALSE(decode_close_result(Bytes(12, 0)));
    }

    TEST_CASE("FF70 marking status") {
        MarkingStatus s;
        s.check_state = 1;
        s.fill_warning = 4;
        s.queue_length = 300;
        const auto bytes = encode_marking_status(s);
        CHECK(bytes.size() == 8);
        const auto decoded = decode_marking_status(bytes);
        REQUIRE(decoded);
        CHECK(decoded->fill_warning == 4);
        CHECK(decoded->queue_length == 300);
        CHECK_FALSE(decode_marking_status(Bytes(7, 0)));
        CHECK(encode_password_only(Command::marking_status, 30) ==
              Bytes{0xFF, 0x70, 0x1E, 0, 0, 0});
    }

    TEST_CASE("requests parse back to their command") {
        const auto payload = encode_open_receipt(30, ReceiptType::sale);
        const auto view = parse_request(payload);
        REQUIRE(view);
        CHECK(view->command == Command::open_receipt);
        CHECK(view->data.size() == 5);
        const auto two = parse_request(encode_accept_marking_code(30, true));
        REQUIRE(two);
        CHECK(two->command == Command::accept_marking_code);
        CHECK_FALSE(parse_request(Bytes{0xFF}));
        CHECK_FALSE(parse_request(Bytes{}));
    }

    TEST_CASE("register errors have names and texts in both languages") {
        CHECK(register_error(0x50).name == "printing");
        CHECK(register_error(0x14).name == "fn_memory_full");
        CHECK(register_error(0xD3).name == "marking_code_refused");
        CHECK_FALSE(register_error(0x4A).ru.empty());
        CHECK_FALSE(register_error(0x4A).en.empty());
        CHECK(register_error(0xEE).name == "unknown");
    }

    TEST_CASE("CP1251: Cyrillic, Ё, and no cut characters") {
        CHECK(utf8_to_cp1251("Молоко", 128) == Bytes{0xCC, 0xEE, 0xEB, 0xEE, 0xEA, 0xEE});
        CHECK(utf8_to_cp1251("Ёж ё", 128) == Bytes{0xA8, 0xE6, ' ', 0xB8});
        CHECK(utf8_to_cp1251("ab", 1) == Bytes{'a'});
        CHECK(utf8_to_cp1251("\xD0", 8) == Bytes{'?'});          // truncated sequence
        CHECK(utf8_to_cp1251("\xE2\x82\xAC", 8) == Bytes{'?'});  // € is not mapped
    }

    TEST_CASE("FFD TLV: tag 1260 of protocol/tag1260 parses as the register reads it") {
        const auto encoded = piotd::protocol::encode_tag1260("UUID=x&Time=1");
        REQUIRE(encoded);
        const Bytes outer(encoded->begin(), encoded->end());
        const auto top = parse_tlvs(outer);
        REQUIRE(top);
        REQUIRE(top->size() == 1);
        CHECK((*top)[0].tag == 1260);
        const auto parts = parse_tlvs((*top)[0].value);
        REQUIRE(parts);
        REQUIRE(parts->size() == 4);
        CHECK((*parts)[0].tag == 1262);
        CHECK(std::string((*parts)[1].value.begin(), (*parts)[1].value.end()) == "21.11.2023");
        CHECK((*parts)[3].tag == 1265);
        CHECK(std::string((*parts)[3].value.begin(), (*parts)[3].value.end()) == "UUID=x&Time=1");
        CHECK_FALSE(parse_tlvs(Bytes{0xEC, 0x04, 0x05, 0x00, 0x41}));
        CHECK_FALSE(parse_tlvs(Bytes{0xEC, 0x04, 0x05}));
    }
}
