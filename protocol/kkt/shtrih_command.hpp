// Shtrih-M commands piotd sends for a marked sale (tspiot-kkt.md §B.2.3), as frame payloads:
// the command byte(s) then DATA. Two-byte commands are 0xFF then the subcode. Every request
// starts its DATA with the operator's 4-byte password. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace piotd::protocol::shtrih {

enum class Command : std::uint16_t {
    short_status = 0x10,     // Короткий запрос состояния
    status = 0x11,           // Запрос состояния
    cancel_receipt = 0x88,   // Аннулирование чека
    open_receipt = 0x8D,     // Открыть чек
    fn_status = 0xFF01,      // Запрос статуса ФН (its reply carries the FN number)
    fn_number = 0xFF02,      // Запрос номера ФН
    close_receipt = 0xFF45,  // Закрытие чека расширенное v2
    operation = 0xFF46,      // Операция V2 (a position)
    operation_tlv = 0xFF4D,  // Передать TLV, привязанную к операции (tag 1260)
    check_marking_code = 0xFF61,  // Проверка маркированного товара
    bind_marking_code = 0xFF67,  // Привязка маркированного товара к позиции
    accept_marking_code = 0xFF69,  // Принять или отвергнуть КМ
    marking_status = 0xFF70,       // Статус работы с КМ
};

std::string_view command_name(Command command);

// The command's bytes as sent: 1 byte, or 0xFF and the subcode.
void append_command(std::vector<std::uint8_t>& out, Command command);

// A command whose DATA is only the password (10h, 11h, 88h, FF01, FF02, FF70).
std::vector<std::uint8_t> encode_password_only(Command command, std::uint32_t password);

enum class ReceiptType : std::uint8_t {
    sale = 0,
    purchase = 1,
    sale_return = 2,
    purchase_return = 3
};
std::vector<std::uint8_t> encode_open_receipt(std::uint32_t password, ReceiptType type);

// FF61. `planned_status` is tag 2003 (1 = piece sold). `tlv` carries 2108/1023 for partial
// disposal, usually empty. Nothing when the KM or TLV does not fit one frame.
inline constexpr std::uint8_t kPlannedPieceSold = 1;
std::optional<std::vector<std::uint8_t>> encode_check_marking_code(
    std::uint32_t password, std::uint8_t planned_status, std::span<const std::uint8_t> code,
    std::span<const std::uint8_t> tlv = {});

std::vector<std::uint8_t> encode_accept_marking_code(std::uint32_t password, bool accept);

// FF46: one position. Money in kopecks; quantity in millionths (1 piece = 1'000'000).
inline constexpr std::uint64_t kComputedByRegister = 0xFF'FFFF'FFFF;  // sum/tax: KKT computes
struct Operation {
    std::uint8_t type = 1;  // 1 приход, 2 возврат прихода, 3 расход, 4 возврат расхода
    std::uint64_t quantity_millionths = 1'000'000;
    std::uint64_t price_kopecks = 0;
    std::uint64_t sum_kopecks = kComputedByRegister;
    std::uint64_t tax_kopecks = kComputedByRegister;
    std::uint8_t tax_rate = 0x01;  // bit mask: bit0 group 1 (НДС 20 %) … bit5 group 6
    std::uint8_t department = 1;
    std::uint8_t payment_method = 4;  // tag 1214: 4 полный расчёт
    std::uint8_t item_sign = 1;  // tag 1212: 1 товар, 33 маркированный товар (ТМ)
    std::vector<std::uint8_t> name;  // CP1251, ≤ 128 bytes (cut)
};
inline constexpr std::size_t kMaxItemName = 128;
std::optional<std::vector<std::uint8_t>> encode_operation(std::uint32_t password,
                                                          const Operation& operation);

// FF4D: a TLV bound to the last operation (≤ 250 bytes), e.g. tag 1260 whole.
inline constexpr std::size_t kMaxOperationTlv = 250;
std::optional<std::vector<std::uint8_t>> encode_operation_tlv(std::uint32_t password,
                                                              std::span<const std::uint8_t> tlv);

// FF67: binds a KM (checked by FF61 before) to the last operation.
std::optional<std::vector<std::uint8_t>> encode_bind_marking_code(
    std::uint32_t password, std::span<const std::uint8_t> code);

// FF45: payments by type (0 cash, 1 electronic, …15), rounding (kopecks), taxes per group,
// tax system bit mask (1 ОСН), text printed at the end (CP1251, ≤ 64 bytes).
struct CloseReceipt {
    std::uint64_t payments[16] = {};
    std::uint8_t rounding_kopecks = 0;
    std::uint64_t taxes[6] = {};
    std::uint8_t tax_system = 1;
    std::vector<std::uint8_t> text;
};
std::vector<std::uint8_t> encode_close_receipt(std::uint32_t password, const CloseReceipt& close);

// The head of a request payload (the emulator's side): the command and its DATA.
struct RequestView {
    Command command{};
    std::uint16_t raw_command = 0;
    std::span<const std::uint8_t> data;
};
// Nothing when the payload is empty or a lone 0xFF.
std::optional<RequestView> parse_request(std::span<const std::uint8_t> payload);

}  // namespace piotd::protocol::shtrih
