#include "daemon/kkt/held_sale.hpp"

#include <exception>

#include "daemon/log.hpp"

namespace piotd::daemon {

HeldSaleFate held_sale_fate(std::uint32_t last_document_before,
                            const protocol::shtrih::FnStatus& fn) {
    // A document still open in the FN: the close never completed (the open receipt is
    // cancelled before the next sale).
    if (fn.document != 0) return HeldSaleFate::not_printed;
    if (fn.last_document == last_document_before) return HeldSaleFate::not_printed;
    // In 64 bits: an FN's counter does not wrap, so 0 after 0xFFFFFFFF is not "one more".
    if (std::uint64_t{fn.last_document} == std::uint64_t{last_document_before} + 1) {
        return HeldSaleFate::printed;
    }
    return HeldSaleFate::unknown;
}

std::string settle_held_sale(drivers::KktSession& session, SaleRecorder& recorder,
                             const std::string& fn_number) {
    if (fn_number.empty()) return {};
    std::optional<HeldSale> held = recorder.held(fn_number);
    if (!held) return {};
    const protocol::shtrih::FnStatus fn = session.fn_status();
    const std::string before = std::to_string(held->last_document_before);
    const std::string now = std::to_string(fn.last_document);
    switch (held_sale_fate(held->last_document_before, fn)) {
        case HeldSaleFate::printed:
            held->sale.document_number = fn.last_document;
            try {
                recorder.record(held->sale);
                log_warning("kkt", "receipt " + now + " of FN " + fn_number +
                                       " was printed but not recorded (piotd stopped or the link "
                                       "failed while it printed): recorded now");
                return {};
            } catch (const std::exception& e) {
                // Every code sold already (recorded before the release was lost), or storage:
                // nothing better can be done with it than to say so.
                const std::string attention = "receipt " + now + " of FN " + fn_number +
                                              " was printed but cannot be recorded: " + e.what();
                log_error("kkt", attention);
                recorder.release(fn_number);
                return attention;
            }
        case HeldSaleFate::not_printed:
            log_info("kkt", "the receipt held for FN " + fn_number +
                                " was not printed (last document still " + before + ")");
            recorder.release(fn_number);
            return {};
        case HeldSaleFate::unknown: {
            const std::string attention =
                "a sale was held for FN " + fn_number + " after document " + before +
                ", and the FN is now at document " + now +
                ": which one is its receipt is unknown, so its " +
                std::to_string(held->sale.items.size()) +
                " marked codes are not marked sold; check the register's documents";
            log_error("kkt", attention);
            recorder.release(fn_number);
            return attention;
        }
    }
    return {};
}

}  // namespace piotd::daemon
