#include "drivers/kkt/kkt_session.hpp"

#include <thread>

#include "protocol/text/cp1251.hpp"
#include "protocol/kkt/shtrih_error.hpp"

namespace piotd::drivers {

namespace shtrih = protocol::shtrih;
using shtrih::Command;

std::string_view kkt_error_kind_name(KktErrorKind kind) {
    switch (kind) {
        case KktErrorKind::no_link:
            return "no_link";
        case KktErrorKind::transport:
            return "transport";
        case KktErrorKind::protocol:
            return "protocol";
        case KktErrorKind::register_error:
            return "register_error";
        case KktErrorKind::invalid_request:
            return "invalid_request";
    }
    return "unknown";
}

KktSession::KktSession(KktTransport& transport, KktSessionOptions options)
    : link_(transport, options.timings), options_(options) {}

void KktSession::fail(KktError error) {
    // A failure in the middle of a receipt must say whether the receipt is still open; ask the
    // register (it may have closed it, or never opened it) unless the link itself is gone.
    if (error.kind() == KktErrorKind::register_error || error.kind() == KktErrorKind::protocol) {
        refresh_receipt_open();
    }
    error.set_receipt_open(receipt_open_);
    throw error;
}

bool KktSession::refresh_receipt_open() {
    try {
        const auto payload = shtrih::encode_password_only(Command::short_status, options_.password);
        const auto answer = link_.exchange(payload);
        const auto reply = shtrih::parse_reply(answer);
        if (!reply || reply->error != 0) return false;
        const auto status = shtrih::decode_short_status(reply->data);
        if (!status) return false;
        receipt_open_ = status->document_open();
        return true;
    } catch (const LinkError&) {
        return false;
    }
}

std::vector<std::uint8_t> KktSession::call(Command command, std::span<const std::uint8_t> payload,
                                           std::chrono::milliseconds timeout) {
    const std::string name(shtrih::command_name(command));
    for (int attempt = 0;; ++attempt) {
        std::vector<std::uint8_t> answer;
        try {
            answer = link_.exchange(payload, timeout);
        } catch (const LinkError& e) {
            const KktErrorKind kind = e.kind() == LinkErrorKind::no_link ? KktErrorKind::no_link
                                      : e.kind() == LinkErrorKind::transport
                                          ? KktErrorKind::transport
                                          : KktErrorKind::protocol;
            fail(KktError(kind, name + ": " + e.what()));
        }
        const auto reply = shtrih::parse_reply(answer);
        if (!reply || reply->raw_command != static_cast<std::uint16_t>(command)) {
            fail(KktError(KktErrorKind::protocol, name + ": the answer is for another command"));
        }
        if (reply->error == shtrih::kErrorPrinting && attempt < options_.busy_retries) {
            std::this_thread::sleep_for(options_.busy_delay);
            continue;
        }
        if (reply->error != 0) {
            const auto& info = shtrih::register_error(reply->error);
            fail(KktError(KktErrorKind::register_error,
                          name + ": register error " + std::to_string(reply->error) + " (" +
                              std::string(info.name) + "): " + std::string(info.en),
                          reply->error));
        }
        return {reply->data.begin(), reply->data.end()};
    }
}

shtrih::ShortStatus KktSession::status() {
    const auto data = call(Command::short_status,
                           shtrih::encode_password_only(Command::short_status, options_.password));
    const auto status = shtrih::decode_short_status(data);
    if (!status) fail(KktError(KktErrorKind::protocol, "short_status: answer too short"));
    receipt_open_ = status->document_open();
    return *status;
}

shtrih::DeviceStatus KktSession::device_status() {
    const auto data =
        call(Command::status, shtrih::encode_password_only(Command::status, options_.password));
    const auto status = shtrih::decode_device_status(data);
    if (!status) fail(KktError(KktErrorKind::protocol, "status: answer too short"));
    receipt_open_ = status->mode_proper() == shtrih::kModeDocumentOpen;
    return *status;
}

shtrih::FnStatus KktSession::fn_status() {
    const auto data = call(Command::fn_status,
                           shtrih::encode_password_only(Command::fn_status, options_.password));
    const auto status = shtrih::decode_fn_status(data);
    if (!status) fail(KktError(KktErrorKind::protocol, "fn_status: malformed answer"));
    return *status;
}

std::string KktSession::read_fn_number() {
    const auto data = call(Command::fn_number,
                           shtrih::encode_password_only(Command::fn_number, options_.password));
    const auto number = shtrih::decode_fn_number(data);
    if (!number) fail(KktError(KktErrorKind::protocol, "fn_number: not 16 digits"));
    return *number;
}

shtrih::MarkingStatus KktSession::marking_status() {
    const auto data =
        call(Command::marking_status,
             shtrih::encode_password_only(Command::marking_status, options_.password));
    const auto status = shtrih::decode_marking_status(data);
    if (!status) fail(KktError(KktErrorKind::protocol, "marking_status: answer too short"));
    return *status;
}

void KktSession::open_receipt(shtrih::ReceiptType type) {
    call(Command::open_receipt, shtrih::encode_open_receipt(options_.password, type));
    receipt_open_ = true;
}

shtrih::MarkingCheck KktSession::check_marking_code(std::span<const std::uint8_t> code) {
    const auto payload =
        shtrih::encode_check_marking_code(options_.password, shtrih::kPlannedPieceSold, code);
    if (!payload)
        fail(KktError(KktErrorKind::invalid_request, "check_marking_code: code too long"));
    const auto data = call(Command::check_marking_code, *payload);
    const auto check = shtrih::decode_marking_check(data);
    if (!check) fail(KktError(KktErrorKind::protocol, "check_marking_code: malformed answer"));
    return *check;
}

std::optional<std::uint8_t> KktSession::accept_marking_code(bool accept) {
    const auto data = call(Command::accept_marking_code,
                           shtrih::encode_accept_marking_code(options_.password, accept));
    return shtrih::decode_accept_result(data);
}

void KktSession::add_position(const KktPosition& position) {
    shtrih::Operation op;
    op.quantity_millionths = position.quantity_millionths;
    op.price_kopecks = position.price_kopecks;
    op.tax_rate = static_cast<std::uint8_t>(
        position.vat >= 1 && position.vat <= 6 ? 1u << (position.vat - 1) : 0u);
    op.item_sign = position.marking_code.empty() ? 1 : 33;
    op.name = protocol::utf8_to_cp1251(position.name, shtrih::kMaxItemName);
    const auto operation = shtrih::encode_operation(options_.password, op);
    if (!operation) fail(KktError(KktErrorKind::invalid_request, "operation: value out of range"));
    std::optional<std::vector<std::uint8_t>> tlv;
    if (!position.tag1260.empty()) {
        tlv = shtrih::encode_operation_tlv(options_.password, position.tag1260);
        if (!tlv) fail(KktError(KktErrorKind::invalid_request, "operation_tlv: tag 1260 too long"));
    }
    std::optional<std::vector<std::uint8_t>> bind;
    if (!position.marking_code.empty()) {
        bind = shtrih::encode_bind_marking_code(options_.password, position.marking_code);
        if (!bind)
            fail(KktError(KktErrorKind::invalid_request, "bind_marking_code: code too long"));
    }
    call(Command::operation, *operation);
    // Tags bound to the operation go after FF46 on hardware registers (§B.2.3 step 3), and
    // FF67 after all tags of the position.
    if (tlv) call(Command::operation_tlv, *tlv);
    if (bind) call(Command::bind_marking_code, *bind);
}

shtrih::CloseResult KktSession::close_receipt(const KktPayment& payment) {
    shtrih::CloseReceipt close;
    close.payments[0] = payment.cash_kopecks;
    close.payments[1] = payment.electronic_kopecks;
    const auto data =
        call(Command::close_receipt, shtrih::encode_close_receipt(options_.password, close),
             options_.close_timeout);
    receipt_open_ = false;
    const auto result = shtrih::decode_close_result(data);
    return result.value_or(shtrih::CloseResult{});
}

void KktSession::cancel_receipt() {
    call(Command::cancel_receipt,
         shtrih::encode_password_only(Command::cancel_receipt, options_.password));
    receipt_open_ = false;
}

}  // namespace piotd::drivers
