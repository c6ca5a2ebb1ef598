#include "storage/held_sale.hpp"

#include <charconv>

namespace piotd::storage {

namespace {

std::string key_of(std::string_view fn_number) {
    return "held_sale/" + std::string(fn_number);
}

HeldSaleRecord decode(std::string_view value) {
    HeldSaleRecord record;
    const auto newline = value.find('\n');
    if (newline == std::string_view::npos) return record;
    const char* end = value.data() + newline;
    const auto [ptr, ec] = std::from_chars(value.data(), end, record.last_document_before);
    if (ec != std::errc{} || ptr != end) return record;
    record.sale = std::string(value.substr(newline + 1));
    return record;
}

}  // namespace

std::optional<HeldSaleRecord> read_held_sale(const ReadTxn& txn, std::string_view fn_number) {
    const auto value = txn.get(Db::meta, key_of(fn_number));
    if (!value) return std::nullopt;
    return decode(*value);
}

void write_held_sale(WriteTxn& txn, std::string_view fn_number, const HeldSaleRecord& record) {
    txn.put(Db::meta, key_of(fn_number),
            std::to_string(record.last_document_before) + "\n" + record.sale);
}

bool clear_held_sale(WriteTxn& txn, std::string_view fn_number) {
    return txn.del(Db::meta, key_of(fn_number));
}

}  // namespace piotd::storage
