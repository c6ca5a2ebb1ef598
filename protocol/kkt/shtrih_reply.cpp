#include "protocol/kkt/shtrih_reply.hpp"

#include <algorithm>

#include "protocol/kkt/shtrih_bytes.hpp"

namespace piotd::protocol::shtrih {

std::optional<ReplyView> parse_reply(std::span<const std::uint8_t> payload) {
    ReplyView view;
    std::size_t head = 1;
    if (payload.empty()) return std::nullopt;
    view.raw_command = payload[0];
    if (payload[0] == 0xFF) {
        if (payload.size() < 2) return std::nullopt;
        view.raw_command = static_cast<std::uint16_t>(0xFF00 | payload[1]);
        head = 2;
    }
    if (payload.size() < head + 1) return std::nullopt;
    view.error = payload[head];
    view.data = payload.subspan(head + 1);
    return view;
}

std::vector<std::uint8_t> encode_reply(Command command, std::uint8_t error,
                                       std::span<const std::uint8_t> data) {
    std::vector<std::uint8_t> out;
    append_command(out, command);
    out.push_back(error);
    if (error == 0) out.insert(out.end(), data.begin(), data.end());
    return out;
}

std::optional<ShortStatus> decode_short_status(std::span<const std::uint8_t> data) {
    ByteReader r(data);
    ShortStatus s;
    s.operator_number = r.u8();
    s.flags = static_cast<std::uint16_t>(r.le(2));
    s.mode = r.u8();
    s.submode = r.u8();
    if (!r.ok()) return std::nullopt;
    return s;
}

std::vector<std::uint8_t> encode_short_status(const ShortStatus& s) {
    ByteWriter w;
    w.u8(s.operator_number);
    w.le(s.flags, 2);
    w.u8(s.mode);
    w.u8(s.submode);
    // operations count, battery, power, FM result, EKLZ result, operations hi, reserved ×3
    for (int i = 0; i < 9; ++i) w.u8(0);
    return w.take();
}

std::optional<DeviceStatus> decode_device_status(std::span<const std::uint8_t> data) {
    ByteReader r(data);
    DeviceStatus s;
    s.operator_number = r.u8();
    s.firmware[0] = static_cast<char>(r.u8());
    s.firmware[1] = static_cast<char>(r.u8());
    s.firmware_build = static_cast<std::uint16_t>(r.le(2));
    r.raw(3);  // firmware date
    r.u8();    // number in the hall
    s.document_number = static_cast<std::uint16_t>(r.le(2));
    s.flags = static_cast<std::uint16_t>(r.le(2));
    s.mode = r.u8();
    s.submode = r.u8();
    r.u8();    // port
    r.raw(7);  // FM version, build, date (obsolete)
    for (auto& b : s.date) b = r.u8();
    for (auto& b : s.time) b = r.u8();
    r.u8();  // FM flags (obsolete)
    s.serial_number = static_cast<std::uint32_t>(r.le(4));
    s.shift_number = static_cast<std::uint16_t>(r.le(2));
    r.le(2);  // free FM records (obsolete)
    r.u8();   // registrations
    r.u8();   // free registrations
    s.inn = r.le(6);
    if (!r.ok()) return std::nullopt;
    return s;
}

std::vector<std::uint8_t> encode_device_status(const DeviceStatus& s) {
    ByteWriter w;
    w.u8(s.operator_number);
    w.u8(static_cast<std::uint8_t>(s.firmware[0]));
    w.u8(static_cast<std::uint8_t>(s.firmware[1]));
    w.le(s.firmware_build, 2);
    w.le(0, 3);
    w.u8(1);
    w.le(s.document_number, 2);
    w.le(s.flags, 2);
    w.u8(s.mode);
    w.u8(s.submode);
    w.u8(0);
    w.le(0, 7);
    for (const auto b : s.date) w.u8(b);
    for (const auto b : s.time) w.u8(b);
    w.u8(0);
    w.le(s.serial_number, 4);
    w.le(s.shift_number, 2);
    w.le(0, 2);
    w.u8(1);
    w.u8(0);
    w.le(s.inn, 6);
    return w.take();
}

namespace {

bool all_digits(std::span<const std::uint8_t> text) {
    return !text.empty() && std::all_of(text.begin(), text.end(),
                                        [](std::uint8_t c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<FnStatus> decode_fn_status(std::span<const std::uint8_t> data) {
    ByteReader r(data);
    FnStatus s;
    s.state = r.u8();
    s.document = r.u8();
    s.document_data = r.u8();
    s.shift_open = r.u8() != 0;
    s.warnings = r.u8();
    for (auto& b : s.date) b = r.u8();
    for (auto& b : s.time) b = r.u8();
    const auto number = r.raw(16);
    s.last_document = static_cast<std::uint32_t>(r.le(4));
    if (!r.ok() || !all_digits(number)) return std::nullopt;
    s.fn_number.assign(number.begin(), number.end());
    return s;
}

std::vector<std::uint8_t> encode_fn_status(const FnStatus& s) {
    ByteWriter w;
    w.u8(s.state);
    w.u8(s.document);
    w.u8(s.document_data);
    w.u8(s.shift_open ? 1 : 0);
    w.u8(s.warnings);
    for (const auto b : s.date) w.u8(b);
    for (const auto b : s.time) w.u8(b);
    std::string number = s.fn_number;
    number.resize(16, '0');
    w.raw(std::span(reinterpret_cast<const std::uint8_t*>(number.data()), 16));
    w.le(s.last_document, 4);
    return w.take();
}

std::optional<std::string> decode_fn_number(std::span<const std::uint8_t> data) {
    if (data.size() < 16 || !all_digits(data.first(16))) return std::nullopt;
    return std::string(data.begin(), data.begin() + 16);
}

std::optional<MarkingCheck> decode_marking_check(std::span<const std::uint8_t> data) {
    ByteReader r(data);
    MarkingCheck c;
    c.local_result = r.u8();
    c.local_reason = r.u8();
    c.code_type = r.u8();
    const std::uint8_t extra_length = r.u8();
    if (!r.ok()) return std::nullopt;
    if (extra_length == 0) return c;
    ByteReader extra(r.raw(extra_length));
    if (!r.ok()) return std::nullopt;
    c.online = true;
    c.online_code = extra.u8();
    c.item_result = extra.u8();
    if (!extra.ok()) return std::nullopt;
    const auto tlv = extra.rest();
    c.oism_tlv.assign(tlv.begin(), tlv.end());
    return c;
}

std::vector<std::uint8_t> encode_marking_check(const MarkingCheck& c) {
    ByteWriter w;
    w.u8(c.local_result);
    w.u8(c.local_reason);
    w.u8(c.code_type);
    if (!c.online) {
        w.u8(0);
        return w.take();
    }
    const std::size_t tlv = std::min<std::size_t>(c.oism_tlv.size(), 200);
    w.u8(static_cast<std::uint8_t>(2 + tlv));
    w.u8(c.online_code);
    w.u8(c.item_result);
    w.raw(std::span(c.oism_tlv).first(tlv));
    return w.take();
}

bool marking_check_refused(const MarkingCheck& c) {
    const bool local_negative = (c.local_result & 0x01) != 0 && (c.local_result & 0x02) == 0;
    const bool online_crypto_negative =
        c.online && (c.item_result & 0x01) != 0 && (c.item_result & 0x02) == 0;
    const bool online_status_negative =
        c.online && (c.item_result & 0x04) != 0 && (c.item_result & 0x08) == 0;
    return local_negative || online_crypto_negative || online_status_negative;
}

std::optional<std::uint8_t> decode_accept_result(std::span<const std::uint8_t> data) {
    if (data.empty()) return std::nullopt;
    return data[0];
}

std::optional<BindResult> decode_bind_result(std::span<const std::uint8_t> data) {
    ByteReader r(data);
    BindResult b;
    b.product_code = static_cast<std::uint16_t>(r.le(2));
    b.datamatrix_type = r.u8();
    if (!r.ok()) return std::nullopt;
    return b;
}

std::optional<CloseResult> decode_close_result(std::span<const std::uint8_t> data) {
    ByteReader r(data);
    CloseResult c;
    c.change_kopecks = r.le(5);
    c.document_number = static_cast<std::uint32_t>(r.le(4));
    c.fiscal_sign = static_cast<std::uint32_t>(r.le(4));
    if (!r.ok()) return std::nullopt;
    return c;
}

std::vector<std::uint8_t> encode_close_result(const CloseResult& c) {
    ByteWriter w;
    w.le(c.change_kopecks, 5);
    w.le(c.document_number, 4);
    w.le(c.fiscal_sign, 4);
    for (int i = 0; i < 5; ++i) w.u8(0);  // date and time
    return w.take();
}

std::optional<MarkingStatus> decode_marking_status(std::span<const std::uint8_t> data) {
    ByteReader r(data);
    MarkingStatus s;
    s.check_state = r.u8();
    s.notification_state = r.u8();
    s.permission_flags = r.u8();
    s.saved_results = r.u8();
    s.codes_in_notification = r.u8();
    s.fill_warning = r.u8();
    s.queue_length = static_cast<std::uint16_t>(r.le(2));
    if (!r.ok()) return std::nullopt;
    return s;
}

std::vector<std::uint8_t> encode_marking_status(const MarkingStatus& s) {
    ByteWriter w;
    w.u8(s.check_state);
    w.u8(s.notification_state);
    w.u8(s.permission_flags);
    w.u8(s.saved_results);
    w.u8(s.codes_in_notification);
    w.u8(s.fill_warning);
    w.le(s.queue_length, 2);
    return w.take();
}

}  // namespace piotd::protocol::shtrih
