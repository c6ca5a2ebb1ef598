// A sale the fiscal register is closing (docs/drivers.md, crash safety): written and committed
// before the close command goes out, cleared once the sale is recorded. If piotd dies in
// between, or the link fails while the receipt prints, the next start finds it and the register's
// last document number tells whether the receipt was printed. One per FN, kept in `meta` under
// "held_sale/<FN>" as "<last document before the close>\n<the daemon's JSON of the sale>".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/transaction.hpp"

namespace piotd::storage {

struct HeldSaleRecord {
    std::uint32_t last_document_before = 0;  // the FN's last fiscal document before the close
    std::string sale;                        // opaque here: the daemon's JSON
};

// A value that does not parse (never written by piotd) reads with an empty `sale`.
std::optional<HeldSaleRecord> read_held_sale(const ReadTxn& txn, std::string_view fn_number);
void write_held_sale(WriteTxn& txn, std::string_view fn_number, const HeldSaleRecord& record);
// False when none was held.
bool clear_held_sale(WriteTxn& txn, std::string_view fn_number);

}  // namespace piotd::storage
