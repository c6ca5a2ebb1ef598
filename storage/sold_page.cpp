#include "storage/sold_page.hpp"

#include "storage/cursor.hpp"
#include "storage/transaction.hpp"

namespace piotd::storage {

SoldPage read_sold_page(const Environment& env, std::size_t skip, std::size_t limit) {
    SoldPage page;
    const ReadTxn txn(env);
    page.total = txn.entries(Db::sold);
    if (skip >= page.total || limit == 0) return page;
    Cursor cursor(txn, Db::sold);
    std::size_t index = 0;
    for (bool more = cursor.first(); more && page.entries.size() < limit; more = cursor.next()) {
        if (index++ < skip) continue;
        page.entries.push_back(
            {std::string(cursor.key()), decode_sold_record(cursor.value()).value_or(SoldRecord{})});
    }
    return page;
}

}  // namespace piotd::storage
