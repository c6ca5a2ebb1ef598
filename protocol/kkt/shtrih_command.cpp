#include "protocol/kkt/shtrih_command.hpp"

#include <algorithm>

#include "protocol/kkt/shtrih_bytes.hpp"
#include "protocol/kkt/shtrih_frame.hpp"

namespace piotd::protocol::shtrih {

std::string_view command_name(Command command) {
    switch (command) {
        case Command::short_status:
            return "short_status";
        case Command::status:
            return "status";
        case Command::cancel_receipt:
            return "cancel_receipt";
        case Command::open_receipt:
            return "open_receipt";
        case Command::fn_status:
            return "fn_status";
        case Command::fn_number:
            return "fn_number";
        case Command::close_receipt:
            return "close_receipt";
        case Command::operation:
            return "operation";
        case Command::operation_tlv:
            return "operation_tlv";
        case Command::check_marking_code:
            return "check_marking_code";
        case Command::bind_marking_code:
            return "bind_marking_code";
        case Command::accept_marking_code:
            return "accept_marking_code";
        case Command::marking_status:
            return "marking_status";
    }
    return "unknown";
}

void append_command(std::vector<std::uint8_t>& out, Command command) {
    const auto code = static_cast<std::uint16_t>(command);
    if (code > 0xFF) out.push_back(static_cast<std::uint8_t>(code >> 8));
    out.push_back(static_cast<std::uint8_t>(code & 0xFF));
}

namespace {

ByteWriter start(Command command, std::uint32_t password) {
    ByteWriter w;
    append_command(w.bytes(), command);
    w.le(password, 4);
    return w;
}

std::optional<std::vector<std::uint8_t>> fitting(ByteWriter& w) {
    if (w.bytes().size() > kMaxPayload) return std::nullopt;
    return w.take();
}

}  // namespace

std::vector<std::uint8_t> encode_password_only(Command command, std::uint32_t password) {
    return start(command, password).take();
}

std::vector<std::uint8_t> encode_open_receipt(std::uint32_t password, ReceiptType type) {
    ByteWriter w = start(Command::open_receipt, password);
    w.u8(static_cast<std::uint8_t>(type));
    return w.take();
}

std::optional<std::vector<std::uint8_t>> encode_check_marking_code(
    std::uint32_t password, std::uint8_t planned_status, std::span<const std::uint8_t> code,
    std::span<const std::uint8_t> tlv) {
    if (code.empty() || code.size() > 255 || tlv.size() > 255) return std::nullopt;
    ByteWriter w = start(Command::check_marking_code, password);
    w.u8(planned_status);
    w.u8(0);  // tag 2102, processing mode: always 0
    w.u8(static_cast<std::uint8_t>(code.size()));
    w.u8(static_cast<std::uint8_t>(tlv.size()));
    w.raw(code);
    w.raw(tlv);
    return fitting(w);
}

std::vector<std::uint8_t> encode_accept_marking_code(std::uint32_t password, bool accept) {
    ByteWriter w = start(Command::accept_marking_code, password);
    w.u8(accept ? 1 : 0);
    return w.take();
}

std::optional<std::vector<std::uint8_t>> encode_operation(std::uint32_t password,
                                                          const Operation& op) {
    constexpr std::uint64_t k5 = 0xFF'FFFF'FFFF;
    constexpr std::uint64_t k6 = 0xFFFF'FFFF'FFFF;
    if (op.quantity_millionths > k6 || op.price_kopecks > k5 || op.sum_kopecks > k5 ||
        op.tax_kopecks > k5) {
        return std::nullopt;
    }
    ByteWriter w = start(Command::operation, password);
    w.u8(op.type);
    w.le(op.quantity_millionths, 6);
    w.le(op.price_kopecks, 5);
    w.le(op.sum_kopecks, 5);
    w.le(op.tax_kopecks, 5);
    w.u8(op.tax_rate);
    w.u8(op.department);
    w.u8(op.payment_method);
    w.u8(op.item_sign);
    const std::size_t name = std::min(op.name.size(), kMaxItemName);
    w.raw(std::span(op.name).first(name));
    return fitting(w);
}

std::optional<std::vector<std::uint8_t>> encode_operation_tlv(std::uint32_t password,
                                                              std::span<const std::uint8_t> tlv) {
    if (tlv.empty() || tlv.size() > kMaxOperationTlv) return std::nullopt;
    ByteWriter w = start(Command::operation_tlv, password);
    w.raw(tlv);
    return fitting(w);
}

std::optional<std::vector<std::uint8_t>> encode_bind_marking_code(
    std::uint32_t password, std::span<const std::uint8_t> code) {
    if (code.empty() || code.size() > 255) return std::nullopt;
    ByteWriter w = start(Command::bind_marking_code, password);
    w.u8(static_cast<std::uint8_t>(code.size()));
    w.raw(code);
    return fitting(w);
}

std::vector<std::uint8_t> encode_close_receipt(std::uint32_t password, const CloseReceipt& close) {
    ByteWriter w = start(Command::close_receipt, password);
    for (const std::uint64_t sum : close.payments) w.le(sum, 5);
    w.u8(close.rounding_kopecks);
    for (const std::uint64_t tax : close.taxes) w.le(tax, 5);
    w.u8(close.tax_system);
    w.raw(std::span(close.text).first(std::min<std::size_t>(close.text.size(), 64)));
    return w.take();
}

std::optional<RequestView> parse_request(std::span<const std::uint8_t> payload) {
    if (payload.empty()) return std::nullopt;
    RequestView view;
    std::size_t head = 1;
    view.raw_command = payload[0];
    if (payload[0] == 0xFF) {
        if (payload.size() < 2) return std::nullopt;
        view.raw_command = static_cast<std::uint16_t>(0xFF00 | payload[1]);
        head = 2;
    }
    view.command = static_cast<Command>(view.raw_command);
    view.data = payload.subspan(head);
    return view;
}

}  // namespace piotd::protocol::shtrih
