#include "daemon/kkt/kkt_json.hpp"

#include <cstdio>

#include "daemon/http/json_error.hpp"
#include "protocol/json/json_writer.hpp"
#include "protocol/kkt/shtrih_error.hpp"

namespace piotd::daemon {

namespace {

using protocol::JsonWriter;
using protocol::write_key;
using protocol::write_string;

std::string_view mode_name(std::uint8_t mode) {
    switch (mode) {
        case protocol::shtrih::kModeShiftOpen:
            return "shift_open";
        case protocol::shtrih::kModeShiftExpired:
            return "shift_expired";
        case protocol::shtrih::kModeShiftClosed:
            return "shift_closed";
        case protocol::shtrih::kModeDocumentOpen:
            return "document_open";
        default:
            return "other";
    }
}

std::string finish(protocol::JsonBuffer& buffer) {
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

std::string kkt_status_json(const KktState& s) {
    protocol::JsonBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    write_key(w, "connected");
    w.Bool(s.connected);
    write_key(w, "device");
    write_string(w, s.device);
    write_key(w, "fnNumber");
    write_string(w, s.fn_number);
    write_key(w, "receiptOpen");
    w.Bool(s.receipt_open);
    write_key(w, "mode");
    if (s.status) {
        w.StartObject();
        write_key(w, "code");
        w.Uint(s.status->mode_proper());
        write_key(w, "name");
        write_string(w, mode_name(s.status->mode_proper()));
        write_key(w, "raw");
        w.Uint(s.status->mode);
        write_key(w, "submode");
        w.Uint(s.status->submode);
        w.EndObject();
    } else {
        w.Null();
    }
    write_key(w, "register");
    if (s.status) {
        const auto& d = *s.status;
        char date[32];
        std::snprintf(date, sizeof date, "20%02u-%02u-%02uT%02u:%02u:%02u", d.date[2] % 100u,
                      d.date[1] % 100u, d.date[0] % 100u, d.time[0] % 100u, d.time[1] % 100u,
                      d.time[2] % 100u);
        w.StartObject();
        write_key(w, "serialNumber");
        w.Uint(d.serial_number);
        write_key(w, "firmware");
        // Two bytes from the register: shown only when printable (the JSON must stay UTF-8).
        const auto printable = [](char c) { return c >= 0x20 && c < 0x7F ? c : '?'; };
        write_string(w, std::string{printable(d.firmware[0]), '.', printable(d.firmware[1])} +
                            " build " + std::to_string(d.firmware_build));
        write_key(w, "documentNumber");
        w.Uint(d.document_number);
        write_key(w, "shiftNumber");
        w.Uint(d.shift_number);
        write_key(w, "inn");
        write_string(w, std::to_string(d.inn));
        write_key(w, "clock");
        write_string(w, date);
        w.EndObject();
    } else {
        w.Null();
    }
    write_key(w, "fn");
    if (s.fn) {
        w.StartObject();
        write_key(w, "state");
        w.Uint(s.fn->state);
        write_key(w, "fiscalMode");
        w.Bool((s.fn->state & 0x02) != 0);
        write_key(w, "shiftOpen");
        w.Bool(s.fn->shift_open);
        write_key(w, "warnings");
        w.Uint(s.fn->warnings);
        write_key(w, "memoryNearlyFull");
        w.Bool(s.fn->memory_nearly_full());
        write_key(w, "replaceSoon");
        w.Bool((s.fn->warnings & 0x03) != 0);
        write_key(w, "lastDocument");
        w.Uint(s.fn->last_document);
        w.EndObject();
    } else {
        w.Null();
    }
    write_key(w, "lastContact");
    w.Int64(s.last_contact_ms);
    write_key(w, "lastError");
    if (s.last_error_kind.empty()) {
        w.Null();
    } else {
        w.StartObject();
        write_key(w, "kind");
        write_string(w, s.last_error_kind);
        write_key(w, "message");
        write_string(w, s.last_error);
        if (s.last_error_code >= 0) {
            const auto& info =
                protocol::shtrih::register_error(static_cast<std::uint8_t>(s.last_error_code));
            write_key(w, "registerCode");
            w.Int(s.last_error_code);
            write_key(w, "name");
            write_string(w, info.name);
            write_key(w, "ru");
            write_string(w, info.ru);
            write_key(w, "en");
            write_string(w, info.en);
        }
        write_key(w, "at");
        w.Int64(s.last_error_ms);
        w.EndObject();
    }
    write_key(w, "attention");
    if (s.attention.empty()) {
        w.Null();
    } else {
        w.StartObject();
        write_key(w, "message");
        write_string(w, s.attention);
        write_key(w, "at");
        w.Int64(s.attention_ms);
        w.EndObject();
    }
    write_key(w, "link");
    w.StartObject();
    write_key(w, "exchanges");
    w.Uint64(s.link.exchanges);
    write_key(w, "retransmissions");
    w.Uint64(s.link.retransmissions);
    write_key(w, "badAnswers");
    w.Uint64(s.link.bad_answers);
    write_key(w, "garbageBytes");
    w.Uint64(s.link.garbage_bytes);
    write_key(w, "reopens");
    w.Uint64(s.link.reopens);
    w.EndObject();
    w.EndObject();
    return finish(buffer);
}

std::string receipt_success_json(const ReceiptSuccess& s, const std::string& fn_number) {
    protocol::JsonBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    write_key(w, "status");
    write_string(w, "closed");
    write_key(w, "fnNumber");
    write_string(w, fn_number);
    write_key(w, "documentNumber");
    w.Uint(s.close.document_number);
    write_key(w, "fiscalSign");
    w.Uint(s.close.fiscal_sign);
    write_key(w, "change");
    w.Uint64(s.close.change_kopecks);
    write_key(w, "leftoverReceiptCancelled");
    w.Bool(s.leftover_cancelled);
    write_key(w, "saleRecorded");
    w.Bool(s.sale_recorded);
    if (!s.sale_recorded) {
        write_key(w, "saleRecordError");
        write_string(w, s.record_error);
    }
    write_key(w, "marked");
    w.StartArray();
    for (const SoldItem& item : s.items) {
        w.StartObject();
        write_key(w, "cis");
        write_string(w, item.ki);
        write_key(w, "industryPropValue");
        write_string(w, item.tag1265);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return finish(buffer);
}

std::string receipt_failure_json(const ReceiptFailure& f) {
    protocol::JsonBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    write_error_fields(w, f.status, f.error, f.message_en);
    write_key(w, "descriptionRu");
    write_string(w, f.message_ru);
    write_key(w, "reason");
    write_string(w, f.reason);
    write_key(w, "stage");
    write_string(w, f.stage);
    if (f.item) {
        write_key(w, "item");
        w.Uint64(*f.item);
    }
    if (f.register_code) {
        const auto& info = protocol::shtrih::register_error(*f.register_code);
        write_key(w, "registerError");
        w.StartObject();
        write_key(w, "code");
        w.Uint(*f.register_code);
        write_key(w, "name");
        write_string(w, info.name);
        write_key(w, "ru");
        write_string(w, info.ru);
        write_key(w, "en");
        write_string(w, info.en);
        w.EndObject();
    }
    write_key(w, "receiptOpen");
    w.Bool(f.receipt_open);
    write_key(w, "receiptCancelled");
    w.Bool(f.receipt_cancelled);
    write_key(w, "cashierAction");
    w.StartObject();
    write_key(w, "ru");
    write_string(w, f.action_ru);
    write_key(w, "en");
    write_string(w, f.action_en);
    w.EndObject();
    w.EndObject();
    return finish(buffer);
}

}  // namespace piotd::daemon
