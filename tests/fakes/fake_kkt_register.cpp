#include "tests/fakes/fake_kkt_register.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "protocol/kkt/ffd_tlv.hpp"
#include "protocol/kkt/shtrih_bytes.hpp"
#include "protocol/kkt/shtrih_error.hpp"
#include "protocol/kkt/shtrih_reply.hpp"

namespace piotd::fakes {

namespace shtrih = protocol::shtrih;
using shtrih::Command;

namespace {

std::string hex(std::span<const std::uint8_t> bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (const auto b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

std::string tag1265_of(std::span<const std::uint8_t> tlv) {
    const auto top = protocol::parse_tlvs(tlv);
    if (!top || top->size() != 1 || (*top)[0].tag != 1260) return {};
    const auto parts = protocol::parse_tlvs((*top)[0].value);
    if (!parts) return {};
    for (const auto& part : *parts) {
        if (part.tag == 1265) return std::string(part.value.begin(), part.value.end());
    }
    return {};
}

bool is_close(std::span<const std::uint8_t> payload) {
    const auto request = shtrih::parse_request(payload);
    return request && request->command == shtrih::Command::close_receipt;
}

}  // namespace

FakeKktRegister::FakeKktRegister(std::string fn_number) : fn_number_(std::move(fn_number)) {}

void FakeKktRegister::reset_link() {
    decoder_.reset();
}

void FakeKktRegister::send_answer(std::vector<std::uint8_t>& out) {
    if (faults_.garbage_answers > 0) {
        --faults_.garbage_answers;
        out.insert(out.end(), {0xFF, 0x00, 0x33, 0x81});
    }
    auto frame = *shtrih::encode_frame(pending_);
    if (faults_.corrupt_answers > 0) {
        --faults_.corrupt_answers;
        frame.back() ^= 0x5A;
    }
    out.insert(out.end(), frame.begin(), frame.end());
}

std::vector<std::uint8_t> FakeKktRegister::on_bytes(std::span<const std::uint8_t> bytes) {
    std::vector<std::uint8_t> out;
    for (const std::uint8_t byte : bytes) {
        auto event = decoder_.push(byte);
        if (!event) continue;
        // N commands executed: silent from here on, to ENQs as well as to frames.
        if (faults_.silence_after == 0) {
            faults_.silence_after = -1;
            faults_.silence = 1'000'000;
        }
        if (event->kind == shtrih::FrameEventKind::control) {
            if (event->control == shtrih::kAck) {
                has_pending_ = false;  // the host got the answer
                continue;
            }
            if (event->control == shtrih::kNak) continue;  // the host will ENQ
            if (faults_.silence > 0) {
                --faults_.silence;
                continue;
            }
            // ENQ: ACK and the answer again if one is waiting, else NAK (idle).
            if (has_pending_) {
                out.push_back(shtrih::kAck);
                send_answer(out);
            } else {
                out.push_back(shtrih::kNak);
            }
            continue;
        }
        if (faults_.silence > 0) {
            --faults_.silence;
            continue;
        }
        if (event->kind == shtrih::FrameEventKind::bad_lrc) {
            out.push_back(shtrih::kNak);
            continue;
        }
        if (faults_.nak_commands > 0) {
            --faults_.nak_commands;
            out.push_back(shtrih::kNak);
            continue;
        }
        if (faults_.drop_acks > 0) {
            --faults_.drop_acks;
        } else {
            out.push_back(shtrih::kAck);
        }
        if (faults_.silence_after > 0) --faults_.silence_after;
        pending_ = execute(event->payload);
        has_pending_ = true;
        if (faults_.hold_answers > 0) {
            --faults_.hold_answers;
            continue;
        }
        if (faults_.hold_close > 0 && is_close(event->payload)) {
            --faults_.hold_close;
            continue;
        }
        send_answer(out);
    }
    return out;
}

std::vector<std::uint8_t> FakeKktRegister::execute(std::span<const std::uint8_t> payload) {
    const auto request = shtrih::parse_request(payload);
    if (!request) return {0x00, 0x37};
    ++commands_;
    const Command command = request->command;
    ++command_counts_[std::string(shtrih::command_name(command))];
    shtrih::ByteReader in(request->data);
    const auto password = in.le(4);
    if (!in.ok()) return shtrih::encode_reply(command, 0x33);
    if (password != 30 && password != 1) return shtrih::encode_reply(command, 0x4F);
    if (faults_.busy > 0) {
        --faults_.busy;
        return shtrih::encode_reply(command, shtrih::kErrorPrinting);
    }
    auto reply = [&](std::span<const std::uint8_t> data) {
        return shtrih::encode_reply(command, 0, data);
    };
    auto error = [&](std::uint8_t code) { return shtrih::encode_reply(command, code); };

    switch (command) {
        case Command::short_status: {
            shtrih::ShortStatus s;
            s.operator_number = 30;
            s.mode = receipt_open_ ? shtrih::kModeDocumentOpen : shtrih::kModeShiftOpen;
            return reply(shtrih::encode_short_status(s));
        }
        case Command::status: {
            shtrih::DeviceStatus s;
            s.operator_number = 30;
            s.firmware[0] = 'C';
            s.firmware[1] = '2';
            s.firmware_build = 25;
            s.document_number = static_cast<std::uint16_t>(next_document_);
            s.mode = receipt_open_ ? shtrih::kModeDocumentOpen : shtrih::kModeShiftOpen;
            s.serial_number = 12345678;
            s.shift_number = 1;
            s.inn = 7700000001;
            return reply(shtrih::encode_device_status(s));
        }
        case Command::fn_status: {
            shtrih::FnStatus s;
            s.state = 3;
            s.shift_open = true;
            s.warnings = faults_.fn_full ? 0x04 : 0;
            s.document = receipt_open_ ? 1 : 0;
            s.fn_number = fn_number_;
            s.last_document = next_document_ - 1;
            return reply(shtrih::encode_fn_status(s));
        }
        case Command::fn_number:
            return reply(std::span(reinterpret_cast<const std::uint8_t*>(fn_number_.data()),
                                   fn_number_.size()));
        case Command::marking_status: {
            shtrih::MarkingStatus s;
            s.check_state = checked_codes_.empty() ? 1 : 2;
            s.fill_warning = faults_.fn_full ? 4 : 0;
            return reply(shtrih::encode_marking_status(s));
        }
        case Command::open_receipt:
            if (receipt_open_) return error(shtrih::kErrorReceiptOpen);
            if (faults_.fn_full) return error(shtrih::kErrorFnMemoryFull);
            receipt_open_ = true;
            receipts_.push_back(KktLoggedReceipt{});
            checked_codes_.clear();
            accepted_codes_.clear();
            return reply(std::vector<std::uint8_t>{30});
        case Command::check_marking_code: {
            in.u8();  // planned status
            in.u8();  // mode
            const std::size_t code_length = in.u8();
            const std::size_t tlv_length = in.u8();
            const auto code = in.raw(code_length);
            in.raw(tlv_length);
            if (!in.ok() || code.empty()) return error(0x33);
            const std::string text(code.begin(), code.end());
            bool refused = faults_.refuse_all_codes;
            for (const auto& r : faults_.refuse_codes) {
                if (!r.empty() && text.find(r) != std::string::npos) refused = true;
            }
            shtrih::MarkingCheck check;
            check.local_result = refused ? 0x01 : 0x03;
            check.code_type = 2;
            check.online = true;
            check.item_result = refused ? 0x01 : 15;
            checked_codes_.push_back(text);
            return reply(shtrih::encode_marking_check(check));
        }
        case Command::accept_marking_code: {
            const bool accept = in.u8() == 1;
            if (!in.ok() || checked_codes_.empty()) return error(0x33);
            if (accept) accepted_codes_.push_back(checked_codes_.back());
            checked_codes_.pop_back();
            return reply(std::vector<std::uint8_t>{accept ? std::uint8_t{15} : std::uint8_t{0}});
        }
        case Command::operation: {
            if (!receipt_open_) return error(shtrih::kErrorReceiptClosed);
            KktLoggedPosition p;
            in.u8();  // type
            p.quantity = in.le(6);
            p.price = in.le(5);
            in.le(5);
            in.le(5);
            p.tax_rate = in.u8();
            in.u8();
            in.u8();
            p.item_sign = in.u8();
            const auto name = in.rest();
            if (!in.ok()) return error(0x33);
            p.name.assign(name.begin(), name.end());
            receipts_.back().positions.push_back(std::move(p));
            return reply({});
        }
        case Command::operation_tlv: {
            if (!receipt_open_ || receipts_.back().positions.empty()) return error(0x5E);
            const auto tlv = in.rest();
            auto& p = receipts_.back().positions.back();
            p.tag1260.assign(tlv.begin(), tlv.end());
            p.tag1265 = tag1265_of(tlv);
            return reply({});
        }
        case Command::bind_marking_code: {
            if (!receipt_open_ || receipts_.back().positions.empty()) return error(0x5E);
            const std::size_t length = in.u8();
            const auto code = in.raw(length);
            if (!in.ok()) return error(0x33);
            const std::string text(code.begin(), code.end());
            const auto it = std::find(accepted_codes_.begin(), accepted_codes_.end(), text);
            if (it == accepted_codes_.end()) return error(shtrih::kErrorCodeRefused);
            accepted_codes_.erase(it);
            receipts_.back().positions.back().code = text;
            return reply(std::vector<std::uint8_t>{0x44, 0x4D, 0x02});
        }
        case Command::close_receipt: {
            if (!receipt_open_) return error(shtrih::kErrorReceiptClosed);
            if (faults_.fail_close > 0) {
                --faults_.fail_close;
                return error(0x6B);
            }
            std::uint64_t paid = 0;
            std::uint64_t payments[16] = {};
            for (auto& p : payments) {
                p = in.le(5);
                paid += p;
            }
            if (!in.ok()) return error(0x33);
            std::uint64_t total = 0;
            for (const auto& p : receipts_.back().positions) {
                total += p.price * p.quantity / 1'000'000;
            }
            if (paid < total) return error(0x45);
            auto& r = receipts_.back();
            r.state = "closed";
            r.cash = payments[0];
            r.electronic = payments[1];
            r.document_number = next_document_++;
            receipt_open_ = false;
            return reply(
                shtrih::encode_close_result({paid - total, r.document_number, 0x12345678}));
        }
        case Command::cancel_receipt:
            if (!receipt_open_) return error(shtrih::kErrorReceiptClosed);
            receipts_.back().state = "cancelled";
            receipt_open_ = false;
            checked_codes_.clear();
            accepted_codes_.clear();
            return reply(std::vector<std::uint8_t>{30});
    }
    return error(0x37);
}

std::string FakeKktRegister::log_json() const {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("fnNumber");
    w.String(fn_number_.c_str());
    w.Key("receiptOpen");
    w.Bool(receipt_open_);
    w.Key("commands");
    w.StartObject();
    for (const auto& [name, count] : command_counts_) {
        w.Key(name.c_str());
        w.Uint64(count);
    }
    w.EndObject();
    w.Key("receipts");
    w.StartArray();
    for (const auto& r : receipts_) {
        w.StartObject();
        w.Key("state");
        w.String(r.state.c_str());
        w.Key("cash");
        w.Uint64(r.cash);
        w.Key("electronic");
        w.Uint64(r.electronic);
        w.Key("documentNumber");
        w.Uint(r.document_number);
        w.Key("positions");
        w.StartArray();
        for (const auto& p : r.positions) {
            w.StartObject();
            w.Key("name");
            w.String(p.name.c_str(), static_cast<rapidjson::SizeType>(p.name.size()));
            w.Key("price");
            w.Uint64(p.price);
            w.Key("quantity");
            w.Uint64(p.quantity);
            w.Key("taxRate");
            w.Uint(p.tax_rate);
            w.Key("itemSign");
            w.Uint(p.item_sign);
            w.Key("code");
            w.String(p.code.c_str(), static_cast<rapidjson::SizeType>(p.code.size()));
            w.Key("tag1260");
            w.String(hex(p.tag1260).c_str());
            w.Key("tag1265");
            w.String(p.tag1265.c_str(), static_cast<rapidjson::SizeType>(p.tag1265.size()));
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace piotd::fakes
