#include "daemon/kkt/local_sold_recorder.hpp"

#include "storage/transaction.hpp"

namespace piotd::daemon {

void LocalSoldRecorder::record(const Sale& sale) {
    if (sale.items.empty()) return;
    {
        storage::WriteTxn txn(module_.env());
        for (const SoldItem& item : sale.items) {
            module_.lists().mark_sold(txn, item.ki, 0, sale.time_ms);
        }
        txn.commit();
    }
    module_.lists().publish();
}

}  // namespace piotd::daemon
