// Error codes of a Shtrih-M register with an FN (the ERR byte of a reply), with a name for logs
// and JSON and the message in Russian (as the register's documentation words it) and English.
// Codes 01h…20h are the FN's own; the rest are the register's. Unknown codes still get a text.
#pragma once

#include <cstdint>
#include <string_view>

namespace piotd::protocol::shtrih {

struct RegisterError {
    std::uint8_t code = 0;
    std::string_view name;
    std::string_view ru;
    std::string_view en;
};

const RegisterError& register_error(std::uint8_t code);

// Codes the driver acts on.
inline constexpr std::uint8_t kErrorFnMemoryFull = 0x14;  // ФН: исчерпан ресурс хранения
inline constexpr std::uint8_t kErrorReceiptOpen = 0x4A;  // открыт чек – операция невозможна
inline constexpr std::uint8_t kErrorPrinting = 0x50;  // идёт печать предыдущей команды
inline constexpr std::uint8_t kErrorReceiptClosed = 0x55;  // чек закрыт – операция невозможна
inline constexpr std::uint8_t kErrorCodeRefused = 0xD3;  // КМ не прошёл проверку (211)

}  // namespace piotd::protocol::shtrih
