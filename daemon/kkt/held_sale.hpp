// Settling a sale held while the register closed its receipt (docs/drivers.md, crash safety).
// piotd holds the sale durably before FF45 and records it after; if it died in between, or the
// link failed while the receipt printed, the sale is still held at the next start or sale. The
// FN's last document number then says what happened: one more than before the close, and no
// document open, means the receipt was printed with that number; unchanged means it was not.
#pragma once

#include <cstdint>
#include <string>

#include "daemon/kkt/sale_recorder.hpp"
#include "drivers/kkt/kkt_session.hpp"
#include "protocol/kkt/shtrih_reply.hpp"

namespace piotd::daemon {

enum class HeldSaleFate {
    printed,      // record it, with the FN's last document number
    not_printed,  // release it
    unknown,      // other documents were made since: release it, and say so loudly
};

HeldSaleFate held_sale_fate(std::uint32_t last_document_before,
                            const protocol::shtrih::FnStatus& fn);

// Asks the register (FF01) only when a sale is held for `fn_number`. A register or link failure
// throws drivers::KktError and leaves the sale held for the next attempt. Returns what a
// technician must check (empty: nothing): a receipt that may have been printed while its codes
// were not marked sold. The register's row on the status page shows it (KktWorker::note_attention).
std::string settle_held_sale(drivers::KktSession& session, SaleRecorder& recorder,
                             const std::string& fn_number);

}  // namespace piotd::daemon
