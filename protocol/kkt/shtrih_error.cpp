#include "protocol/kkt/shtrih_error.hpp"

#include <array>

namespace piotd::protocol::shtrih {

namespace {

constexpr std::array kErrors{
    RegisterError{0x00, "ok", "Ошибок нет", "No error"},
    RegisterError{0x01, "fn_bad_command",
                  "ФН: неизвестная команда, неверный формат посылки или неизвестные параметры",
                  "FN: unknown command, bad format or unknown parameters"},
    RegisterError{0x02, "fn_wrong_state", "ФН: другое состояние ФН",
                  "FN: the fiscal drive is in another state"},
    RegisterError{0x03, "fn_failure", "ФН: отказ ФН", "FN: fiscal drive failure"},
    RegisterError{0x04, "fn_crypto_failure", "ФН: отказ КС", "FN: crypto coprocessor failure"},
    RegisterError{0x05, "fn_lifetime", "ФН: параметры команды не соответствуют сроку жизни ФН",
                  "FN: parameters do not match the drive's lifetime"},
    RegisterError{0x07, "fn_bad_datetime", "ФН: некорректная дата и/или время",
                  "FN: wrong date or time"},
    RegisterError{0x08, "fn_no_data", "ФН: нет запрошенных данных", "FN: no requested data"},
    RegisterError{0x09, "fn_bad_parameters", "ФН: некорректное значение параметров команды",
                  "FN: wrong command parameters"},
    RegisterError{0x10, "fn_tlv_too_large", "ФН: превышение размеров TLV данных",
                  "FN: TLV data too large"},
    RegisterError{0x11, "fn_no_transport", "ФН: нет транспортного соединения",
                  "FN: no transport connection"},
    RegisterError{0x12, "fn_crypto_exhausted", "ФН: исчерпан ресурс КС",
                  "FN: crypto coprocessor resource exhausted"},
    RegisterError{0x14, "fn_memory_full", "ФН: исчерпан ресурс хранения",
                  "FN: storage full (replace the fiscal drive or send documents to the OFD)"},
    RegisterError{0x15, "fn_ofd_timeout", "ФН: превышено время ожидания передачи сообщения",
                  "FN: OFD message wait time exceeded"},
    RegisterError{0x16, "fn_shift_over_24h", "ФН: продолжительность смены более 24 часов",
                  "FN: shift longer than 24 hours"},
    RegisterError{0x17, "fn_bad_time_difference",
                  "ФН: неверная разница во времени между двумя операциями",
                  "FN: wrong time difference between two operations"},
    RegisterError{0x20, "fn_ofd_rejected", "ФН: сообщение от ОФД не может быть принято",
                  "FN: the OFD's message cannot be accepted"},
    RegisterError{0x33, "bad_parameters", "Некорректные параметры в команде",
                  "Wrong parameters in the command"},
    RegisterError{0x37, "not_supported", "Команда не поддерживается в данной реализации ФР",
                  "Command not supported by this register"},
    RegisterError{0x45, "payment_below_total", "Сумма всех типов оплаты меньше итога чека",
                  "Payments are less than the receipt total"},
    RegisterError{0x4A, "receipt_open", "Открыт чек – операция невозможна",
                  "A receipt is open: operation impossible"},
    RegisterError{0x4B, "receipt_buffer_full", "Буфер чека переполнен", "Receipt buffer full"},
    RegisterError{0x4E, "shift_over_24h", "Смена превысила 24 часа",
                  "Shift is longer than 24 hours: close it"},
    RegisterError{0x4F, "bad_password", "Неверный пароль", "Wrong operator password"},
    RegisterError{0x50, "printing", "Идёт печать предыдущей команды",
                  "Still printing the previous command"},
    RegisterError{0x55, "receipt_closed", "Чек закрыт – операция невозможна",
                  "No receipt is open: operation impossible"},
    RegisterError{0x58, "awaiting_continue", "Ожидание команды продолжения печати",
                  "Waiting for the continue-printing command"},
    RegisterError{0x5E, "bad_operation", "Некорректная операция", "Wrong operation"},
    RegisterError{0x6B, "no_paper", "Нет чековой ленты", "Out of receipt paper"},
    RegisterError{0x72, "wrong_submode", "Команда не поддерживается в данном подрежиме",
                  "Command not allowed in this submode"},
    RegisterError{0x73, "wrong_mode", "Команда не поддерживается в данном режиме",
                  "Command not allowed in this mode"},
    RegisterError{0x8E, "zero_total", "Нулевой итог чека", "Receipt total is zero"},
    RegisterError{0xD3, "marking_code_refused", "Код маркировки не прошёл проверку",
                  "The marking code failed the check"},
};

}  // namespace

const RegisterError& register_error(std::uint8_t code) {
    for (const RegisterError& e : kErrors) {
        if (e.code == code) return e;
    }
    static const RegisterError unknown{0xFF, "unknown", "Неизвестная ошибка ККТ",
                                       "Unknown register error"};
    return unknown;
}

}  // namespace piotd::protocol::shtrih
