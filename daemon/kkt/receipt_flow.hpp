// One sale through the register (docs/drivers.md "Fiscal register"):
//   1. every marked code is checked by piotd (MarkedItemChecker) before anything is printed;
//   2. a sale held from an earlier close is settled (held_sale.hpp), and a receipt the register
//      still has open from before is cancelled;
//   3. open the receipt; FF61 + FF69 for every code (the register's own check);
//   4. FF46 + FF4D (tag 1260) + FF67 per position; FF01 for the last document number, the sale
//      held durably, then FF45 closes it;
//   5. the sale is recorded (SaleRecorder), which releases the held one.
// Any refusal or fault after the receipt was opened cancels it, so no receipt is ever left
// half-printed without the caller being told; the outcome says what happened and what the
// cashier must do, in Russian and English.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/http/api_error.hpp"
#include "daemon/http/http_types.hpp"
#include "daemon/kkt/marked_item_checker.hpp"
#include "daemon/kkt/sale_recorder.hpp"
#include "drivers/kkt/kkt_session.hpp"
#include "protocol/kkt/kkt_receipt_request.hpp"

namespace piotd::daemon {

struct ReceiptFailure {
    http::status status = http::status::internal_server_error;
    ApiError error = ApiError::internal;
    std::string stage;                // check_code, open, register_check, position, hold, close
    std::optional<std::size_t> item;  // index into items, when one item caused it
    std::string reason;  // blocked, sold, invalid_code, not_ready, register_refused, no_link, …
    std::string message_ru;
    std::string message_en;
    std::string action_ru;  // what the cashier must do
    std::string action_en;
    std::optional<std::uint8_t> register_code;
    std::optional<drivers::KktErrorKind> fault;  // set when the register or the link failed
    bool receipt_open = false;       // still open on the register after piotd's cancel attempt
    bool receipt_cancelled = false;  // piotd cancelled the receipt
};

struct ReceiptSuccess {
    protocol::shtrih::CloseResult close;
    std::vector<SoldItem> items;
    bool leftover_cancelled = false;  // an earlier open receipt was cancelled first
    bool sale_recorded = true;
    std::string record_error;
};

struct ReceiptOutcome {
    std::optional<ReceiptSuccess> success;
    ReceiptFailure failure;  // when !success
    std::string attention;   // from settling a held sale (settle_held_sale), either way
};

ReceiptOutcome run_receipt(drivers::KktSession& session, MarkedItemChecker& checker,
                           SaleRecorder& recorder, const protocol::ReceiptRequest& request,
                           const std::string& fn_number, std::int64_t now_ms);

}  // namespace piotd::daemon
