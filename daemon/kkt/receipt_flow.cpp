#include "daemon/kkt/receipt_flow.hpp"

#include <exception>

#include "daemon/kkt/held_sale.hpp"
#include "daemon/log.hpp"
#include "protocol/kkt/shtrih_command.hpp"
#include "protocol/kkt/shtrih_error.hpp"

namespace piotd::daemon {

namespace shtrih = protocol::shtrih;
using drivers::KktError;
using drivers::KktErrorKind;

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& text) {
    return {text.begin(), text.end()};
}

ReceiptFailure refused_by_piotd(std::size_t index, const MarkedItemVerdict& verdict) {
    ReceiptFailure f;
    f.status = verdict.reason == "cannot_check" ? http::status::service_unavailable
                                                : http::status::unprocessable_entity;
    f.error = ApiError::code_refused;
    f.stage = "check_code";
    f.item = index;
    f.reason = verdict.reason;
    f.message_ru = verdict.message_ru;
    f.message_en = verdict.message_en;
    f.action_ru = "Чек не печатался. Уберите этот товар из чека и пробейте чек заново.";
    f.action_en = "Nothing was printed. Remove this item from the receipt and ring it up again.";
    return f;
}

// The state of the receipt after a failure: cancel it if it is (or may be) open.
void cancel_after_failure(drivers::KktSession& session, ReceiptFailure& f, bool may_be_open) {
    if (!may_be_open) return;
    try {
        session.cancel_receipt();
        f.receipt_cancelled = true;
        f.receipt_open = false;
    } catch (const KktError& e) {
        if (e.kind() == KktErrorKind::register_error && e.code() == shtrih::kErrorReceiptClosed) {
            f.receipt_open = false;  // nothing was open
        } else {
            f.receipt_open = true;
            log_error("kkt", std::string("cancelling the receipt failed: ") + e.what());
        }
    }
    if (f.receipt_cancelled) {
        f.action_ru = "Чек аннулирован. " + f.action_ru;
        f.action_en = "The receipt was cancelled. " + f.action_en;
    } else if (f.receipt_open) {
        f.action_ru +=
            " Чек мог остаться открытым на ККТ: аннулируйте его на кассе, либо повторите "
            "продажу — piotd аннулирует незакрытый чек перед новым.";
        f.action_en +=
            " The receipt may still be open on the register: cancel it there, or retry "
            "the sale (piotd cancels an open receipt before a new one).";
    }
}

// Holds the sale before the close. A failure (the disk is full, say) stops the sale before
// anything is printed: a receipt printed without its sale noted durably is what holding avoids.
std::optional<ReceiptFailure> hold_sale(SaleRecorder& recorder, const Sale& sale,
                                        std::uint32_t last_document) {
    try {
        recorder.hold(sale, last_document);
        return std::nullopt;
    } catch (const std::exception& e) {
        log_error("kkt", std::string("the sale could not be held before closing: ") + e.what());
        ReceiptFailure f;
        f.status = http::status::service_unavailable;
        f.error = ApiError::storage_unavailable;
        f.stage = "hold";
        f.reason = "storage";
        f.message_ru = "piotd не смог сохранить продажу перед закрытием чека";
        f.message_en = std::string("piotd could not store the sale before closing: ") + e.what();
        f.action_ru = "Чек не напечатан. Сообщите администратору (диск piotd).";
        f.action_en = "Nothing was printed. Tell the administrator (piotd's disk).";
        return f;
    }
}

ReceiptFailure from_register(const KktError& e, const std::string& stage,
                             std::optional<std::size_t> item) {
    ReceiptFailure f;
    f.stage = stage;
    f.item = item;
    f.fault = e.kind();
    switch (e.kind()) {
        case KktErrorKind::register_error: {
            const auto& info = shtrih::register_error(e.code());
            f.status = http::status::bad_gateway;
            f.error = ApiError::kkt_error;
            f.reason = "register_error";
            f.register_code = e.code();
            f.message_ru =
                "ККТ отказала: " + std::string(info.ru) + " (код " + std::to_string(e.code()) + ")";
            f.message_en = "The register refused: " + std::string(info.en) + " (code " +
                           std::to_string(e.code()) + ")";
            if (e.code() == shtrih::kErrorFnMemoryFull) {
                f.action_ru = "Память ФН заполнена: передайте документы в ОФД или замените ФН.";
                f.action_en = "The fiscal drive is full: send documents to the OFD or replace it.";
            } else if (e.code() == 0x6B) {
                f.action_ru = "Заправьте чековую ленту и пробейте чек заново.";
                f.action_en = "Load receipt paper and ring the receipt up again.";
            } else {
                f.action_ru = "Устраните причину на ККТ и пробейте чек заново.";
                f.action_en = "Fix the cause on the register and ring the receipt up again.";
            }
            break;
        }
        case KktErrorKind::invalid_request:
            f.status = http::status::bad_request;
            f.error = ApiError::invalid_field;
            f.reason = "invalid_request";
            f.message_ru = "Позицию нельзя передать в ККТ (слишком длинные данные)";
            f.message_en = std::string("The position cannot be sent to the register: ") + e.what();
            f.action_ru = "Исправьте позицию и пробейте чек заново.";
            f.action_en = "Fix the position and ring the receipt up again.";
            break;
        default:
            f.status = http::status::service_unavailable;
            f.error = ApiError::kkt_unavailable;
            f.reason = std::string(drivers::kkt_error_kind_name(e.kind()));
            f.message_ru = "Нет связи с ККТ";
            f.message_en = std::string("No communication with the register: ") + e.what();
            f.action_ru = "Проверьте питание и кабель ККТ и пробейте чек заново.";
            f.action_en = "Check the register's power and cable, then ring the receipt up again.";
            break;
    }
    return f;
}

}  // namespace

ReceiptOutcome run_receipt(drivers::KktSession& session, MarkedItemChecker& checker,
                           SaleRecorder& recorder, const protocol::ReceiptRequest& request,
                           const std::string& fn_number, std::int64_t now_ms) {
    ReceiptOutcome outcome;
    // 1. piotd's own check of every code, before anything reaches the register.
    std::vector<const protocol::ReceiptItem*> marked;
    for (const protocol::ReceiptItem& it : request.items) {
        if (it.code) marked.push_back(&it);
    }
    std::vector<MarkedItemVerdict> verdicts(request.items.size());
    if (!marked.empty()) {
        std::vector<MarkedItemVerdict> checked = checker.check(marked, fn_number);
        for (std::size_t i = 0, next = 0; i < request.items.size() && next < checked.size(); ++i) {
            if (request.items[i].code) verdicts[i] = std::move(checked[next++]);
        }
    }
    for (std::size_t i = 0; i < request.items.size(); ++i) {
        if (!request.items[i].code) continue;
        if (!verdicts[i].allowed) {
            outcome.failure = refused_by_piotd(i, verdicts[i]);
            return outcome;
        }
        // What one frame cannot carry is refused now, not after the receipt was opened.
        if (!shtrih::encode_check_marking_code(0, shtrih::kPlannedPieceSold,
                                               bytes_of(verdicts[i].code)) ||
            verdicts[i].tag1260.size() > shtrih::kMaxOperationTlv) {
            ReceiptFailure f;
            f.status = http::status::bad_request;
            f.error = ApiError::invalid_field;
            f.stage = "check_code";
            f.item = i;
            f.reason = "invalid_request";
            f.message_ru = "Код маркировки или тег 1260 слишком длинные для ККТ";
            f.message_en = "The marking code or its tag 1260 is too long for the register";
            f.action_ru = "Чек не печатался. Отсканируйте код ещё раз.";
            f.action_en = "Nothing was printed. Scan the code again.";
            outcome.failure = std::move(f);
            return outcome;
        }
    }

    Sale sale;
    sale.fn_number = fn_number;
    sale.time_ms = now_ms;
    for (std::size_t i = 0; i < request.items.size(); ++i) {
        if (!request.items[i].code) continue;
        sale.items.push_back(SoldItem{verdicts[i].ki, verdicts[i].code,
                                      request.items[i].price_kopecks, verdicts[i].tag1265});
    }

    ReceiptSuccess success;
    std::string stage = "open";
    std::optional<std::size_t> item;
    try {
        // 2. A sale held from a receipt that was closing when piotd stopped or the link failed
        //    is settled (held_sale.hpp); a receipt left open (a crash, a cashier's half-finished
        //    sale) is cancelled.
        try {
            outcome.attention = settle_held_sale(session, recorder, fn_number);
        } catch (const KktError&) {
            throw;
        } catch (const std::exception& e) {
            log_error("kkt", std::string("a held sale could not be settled: ") + e.what());
        }
        if (session.status().document_open()) {
            log_warning("kkt", "a receipt was left open on the register: cancelling it");
            session.cancel_receipt();
            success.leftover_cancelled = true;
        }
        // 3. Open, then the register's own check of every code.
        session.open_receipt();
        stage = "register_check";
        for (std::size_t i = 0; i < request.items.size(); ++i) {
            if (!request.items[i].code) continue;
            item = i;
            const auto check = session.check_marking_code(bytes_of(verdicts[i].code));
            if (shtrih::marking_check_refused(check)) {
                session.accept_marking_code(false);
                ReceiptFailure f;
                f.status = http::status::unprocessable_entity;
                f.error = ApiError::code_refused;
                f.stage = stage;
                f.item = i;
                f.reason = "register_refused";
                f.message_ru = "ККТ (ФН) не подтвердила код маркировки: результат проверки " +
                               std::to_string(check.local_result) + "/" +
                               std::to_string(check.item_result);
                f.message_en = "The register (FN) did not confirm the marking code: check result " +
                               std::to_string(check.local_result) + "/" +
                               std::to_string(check.item_result);
                f.action_ru = "Уберите этот товар из чека и пробейте чек заново.";
                f.action_en = "Remove this item from the receipt and ring it up again.";
                cancel_after_failure(session, f, true);
                outcome.failure = std::move(f);
                return outcome;
            }
            session.accept_marking_code(true);
        }
        // 4. Positions, then close.
        stage = "position";
        for (std::size_t i = 0; i < request.items.size(); ++i) {
            item = i;
            const protocol::ReceiptItem& it = request.items[i];
            drivers::KktPosition position;
            position.name = it.name;
            position.price_kopecks = it.price_kopecks;
            position.quantity_millionths = it.quantity_millionths;
            position.vat = it.vat;
            if (it.code) {
                position.marking_code = bytes_of(verdicts[i].code);
                position.tag1260 = verdicts[i].tag1260;
            }
            session.add_position(position);
        }
        // A sale with marked items is held durably before the close, with the FN's last
        // document number: if piotd dies or the link fails while the receipt prints, step 2 of
        // a later sale (or the next start) finds it and knows from the FN whether it was
        // printed. A receipt without marked items has nothing to record, so nothing to hold.
        item.reset();
        if (!sale.items.empty()) {
            stage = "hold";
            const std::uint32_t last_document = session.fn_status().last_document;
            if (auto failure = hold_sale(recorder, sale, last_document)) {
                cancel_after_failure(session, *failure, true);
                outcome.failure = std::move(*failure);
                return outcome;
            }
        }
        stage = "close";
        success.close = session.close_receipt({request.cash_kopecks, request.electronic_kopecks});
    } catch (const KktError& e) {
        ReceiptFailure f = from_register(e, stage, item);
        // The receipt may be open whenever the failure came after open_receipt was sent.
        const bool may_be_open = e.receipt_open() || session.receipt_open() || stage != "open";
        cancel_after_failure(session, f, may_be_open);
        if (stage == "close" && !f.receipt_cancelled && !f.receipt_open &&
            e.kind() != KktErrorKind::register_error) {
            f.reason = "close_unconfirmed";
            f.message_ru = "Связь с ККТ прервалась при закрытии чека: чек, возможно, пробит";
            f.message_en =
                "The link failed while the receipt was closing: it may have been printed";
            f.action_ru = "Проверьте последний документ на ККТ, прежде чем пробивать чек заново.";
            f.action_en = "Check the register's last document before ringing the receipt up again.";
        }
        outcome.failure = std::move(f);
        return outcome;
    }

    // 5. Record the sale (which releases the held one); the receipt is fiscal already, so a
    //    failure here is reported beside it, and the held sale is recorded at the next sale.
    sale.document_number = success.close.document_number;
    sale.fiscal_sign = success.close.fiscal_sign;
    try {
        recorder.record(sale);
    } catch (const std::exception& e) {
        success.sale_recorded = false;
        success.record_error = e.what();
        log_error("kkt", std::string("receipt closed but the sale was not recorded: ") + e.what());
    }
    success.items = std::move(sale.items);
    outcome.success = std::move(success);
    return outcome;
}

}  // namespace piotd::daemon
