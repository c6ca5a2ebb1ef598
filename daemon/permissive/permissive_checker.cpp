#include "daemon/permissive/permissive_checker.hpp"

#include "daemon/lm/check_handler.hpp"
#include "daemon/log.hpp"
#include "daemon/permissive/journal_writer.hpp"
#include "daemon/version.hpp"
#include "protocol/tag1260.hpp"
#include "protocol/uuid.hpp"
#include "storage/storage_error.hpp"

namespace piotd::daemon {

std::string_view check_source_name(CheckSource source) {
    switch (source) {
        case CheckSource::online:
            return "online";
        case CheckSource::offline:
            return "offline";
        case CheckSource::none:
            return "none";
    }
    return "none";
}

PermissiveChecker::PermissiveChecker(LocalModule& module, TrueApiClient& client,
                                     PermissiveOptions options, JournalWriter* journal)
    : module_(module), client_(client), options_(std::move(options)), journal_(journal) {}

protocol::SaleContext PermissiveChecker::context(const CheckItem& item) const {
    protocol::SaleContext context;
    context.code = &item.code;
    context.product_group = item.product_group;
    context.price_kopecks = item.price_kopecks;
    context.quantity = item.quantity;
    context.now_ms = module_.now_ms();
    return context;
}

void PermissiveChecker::check(boost::asio::any_io_executor executor,
                              std::shared_ptr<const std::vector<CheckItem>> items,
                              std::string fiscal_drive, CheckDone done,
                              std::chrono::steady_clock::time_point received) {
    std::vector<std::string> codes;
    codes.reserve(items->size());
    for (const CheckItem& item : *items) codes.emplace_back(item.code.full());
    if (fiscal_drive.empty()) fiscal_drive = options_.fiscal_drive_number;
    const auto now = std::chrono::steady_clock::now();
    const auto started = received == std::chrono::steady_clock::time_point{} ? now : received;
    const auto deadline = now + options_.budget;
    client_.check(std::move(executor), std::move(codes), std::move(fiscal_drive), deadline,
                  [this, items, started, done = std::move(done)](OnlineCheck online) {
                      CheckOutcome outcome;
                      outcome.module_status = module_.status();
                      if (online.ok) {
                          finish_online(*items, online, outcome);
                      } else {
                          outcome.online_failure = std::move(online.failure);
                      }
                      if (outcome.source == CheckSource::none) finish_offline(*items, outcome);
                      done(outcome);
                      report(*items, outcome, started, online.upstream_time);
                      if (journal_ != nullptr) journal_->record(*items, outcome, module_.now_ms());
                  });
}

void PermissiveChecker::report(const std::vector<CheckItem>& items, const CheckOutcome& outcome,
                               std::chrono::steady_clock::time_point started,
                               std::chrono::steady_clock::duration upstream_time) const {
    if (options_.observer == nullptr) return;
    const auto duration = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now() - started);
    const std::int64_t now = module_.now_ms();
    std::vector<CheckEvent> events(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        CheckEvent& event = events[i];
        event.source = check_source_name(outcome.source);
        event.code = items[i].code.full();
        // A refused sale counts as blocked (whatever the reason); no check at all as not_ready.
        if (outcome.source == CheckSource::none || i >= outcome.items.size()) {
            event.verdict = CheckVerdict::not_ready;
        } else {
            event.verdict = outcome.items[i].decision.allowed ? CheckVerdict::not_blocked
                                                              : CheckVerdict::blocked;
        }
        event.duration_ns = static_cast<std::uint64_t>(duration.count());
        event.upstream_ns = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(upstream_time).count());
        event.time_ms = now;
    }
    options_.observer->on_checks(events);
}

void PermissiveChecker::finish_online(const std::vector<CheckItem>& items, OnlineCheck& online,
                                      CheckOutcome& outcome) {
    const auto& answers = online.answer.codes;
    std::vector<const protocol::TrueApiCodeResult*> matched(items.size(), nullptr);
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string_view full = items[i].code.full();
        for (const auto& answer : answers) {
            if (answer.cis && (*answer.cis == full || *answer.cis == items[i].code.ki())) {
                matched[i] = &answer;
                break;
            }
        }
        // An answer that does not echo the codes is taken in request order.
        if (matched[i] == nullptr && answers.size() == items.size()) matched[i] = &answers[i];
        if (matched[i] == nullptr) {
            outcome.online_failure =
                "the True API answer has no entry for code " + std::to_string(i + 1);
            return;
        }
    }
    outcome.source = CheckSource::online;
    outcome.host = online.host;
    outcome.req_id = online.answer.req_id;
    outcome.req_timestamp_ms = online.answer.req_timestamp_ms;
    const std::string prop =
        protocol::industry_prop_value_online(outcome.req_id, outcome.req_timestamp_ms);
    outcome.items.resize(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        ItemVerdict& verdict = outcome.items[i];
        verdict.decision = protocol::decide_online(*matched[i], context(items[i]));
        verdict.upstream_json = matched[i]->raw_json;
        verdict.industry_prop_value = prop;
        // Parallel mode: the local sold set knows sales the True API may not have seen yet.
        if (options_.parallel && outcome.module_status == protocol::LmStatus::ready) {
            try {
                const protocol::LmCodeResult local = lookup_code(module_, items[i].code);
                if (local.sold && !verdict.decision.has(protocol::ReasonId::sold)) {
                    verdict.decision.add(protocol::ReasonId::sold);
                }
            } catch (const storage::StorageError& e) {
                // The online verdict stands; the extra local refusal could not be looked up.
                log_error("permissive", std::string("local sold set unavailable: ") + e.what());
            }
        }
    }
}

void PermissiveChecker::finish_offline(const std::vector<CheckItem>& items, CheckOutcome& outcome) {
    outcome.items.clear();
    if (outcome.module_status != protocol::LmStatus::ready) return;  // cannot check
    outcome.source = CheckSource::offline;
    outcome.req_id = protocol::random_uuid();
    outcome.req_timestamp_ms = module_.now_ms();
    outcome.inst = module_.inst();
    outcome.version = kVersion;
    const std::string prop = protocol::industry_prop_value_offline(
        outcome.req_id, outcome.req_timestamp_ms, outcome.inst, outcome.version);
    outcome.items.resize(items.size());
    try {
        for (std::size_t i = 0; i < items.size(); ++i) {
            ItemVerdict& verdict = outcome.items[i];
            verdict.offline = lookup_code(module_, items[i].code);
            verdict.decision = protocol::decide_offline(verdict.offline, context(items[i]));
            verdict.industry_prop_value = prop;
        }
    } catch (const storage::StorageError& e) {
        // This runs on an I/O thread (a connection's or the True API client's): a database
        // fault must become "cannot check", not an exception out of the event loop.
        log_error("permissive", std::string("local lists unavailable: ") + e.what());
        CheckOutcome none;
        none.online_failure = outcome.online_failure + "; local lists unavailable";
        none.module_status = outcome.module_status;
        outcome = std::move(none);
    }
}

}  // namespace piotd::daemon
