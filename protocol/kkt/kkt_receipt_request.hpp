// The body of POST /api/v1/kkt/receipt (docs/drivers.md):
//   {"items":[{"name":"Молоко","price":8990,"quantity":1,"vat":1,"code":"0104…"}],
//    "payment":{"cash":10000,"electronic":0}}
// price and payments in kopecks (integers); quantity a number of pieces (a marked item: exactly
// 1); vat the register's tax group 1…6; code only for marked items. Hostile input gets a
// RequestError naming the field, never an exception.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/lm/cis_list_request.hpp"

namespace piotd::protocol {

struct ReceiptItem {
    std::string name;
    std::uint64_t price_kopecks = 0;
    std::uint64_t quantity_millionths = 1'000'000;
    std::uint8_t vat = 1;
    std::optional<std::string> code;
};

struct ReceiptRequest {
    RequestError error = RequestError::none;
    std::string detail;
    std::vector<ReceiptItem> items;
    std::uint64_t cash_kopecks = 0;
    std::uint64_t electronic_kopecks = 0;

    std::uint64_t total_kopecks() const;
};

inline constexpr std::size_t kMaxReceiptItems = 100;
inline constexpr std::uint64_t kMaxMoneyKopecks = 10'000'000'000;  // 100 million roubles

ReceiptRequest decode_receipt_request(std::string_view body);

}  // namespace piotd::protocol
