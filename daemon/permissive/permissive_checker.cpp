#include "daemon/permissive/permissive_checker.hpp"

#include "daemon/lm/check_handler.hpp"
#include "daemon/log.hpp"
#include "daemon/permissive/journal_writer.hpp"
#include "daemon/version.hpp"
#include "protocol/decision/tag1260.hpp"
#include "protocol/text/uuid.hpp"
#include "storage/storage_error.hpp"

namespace piotd::daemon {

using Steady = std::chrono::steady_clock;

std::string_view check_source_name(CheckSource source) {
    switch (source) {
        case CheckSource::online:
            return "online";
        case CheckSource::lm:
            return "lm";
        case CheckSource::offline:
            return "offline";
        case CheckSource::none:
            return "none";
    }
    return "none";
}

PermissiveChecker::PermissiveChecker(LocalModule& module, TrueApiClient& client,
                                     PermissiveOptions options, JournalWriter* journal,
                                     LmClient* lm)
    : module_(module),
      client_(client),
      options_(std::move(options)),
      journal_(journal),
      lm_(lm != nullptr && lm->enabled() ? lm : nullptr) {}

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
                              std::chrono::steady_clock::time_point received, CheckUse use) {
    std::vector<std::string> codes;
    codes.reserve(items->size());
    for (const CheckItem& item : *items) codes.emplace_back(item.code.full());
    if (fiscal_drive.empty()) fiscal_drive = options_.fiscal_drive_number;
    const auto now = std::chrono::steady_clock::now();
    const auto started = received == std::chrono::steady_clock::time_point{} ? now : received;
    const auto deadline = now + options_.budget;
    // Answers the caller, then reports: what every path below ends with. A check made ahead is
    // journalled (its reqId, the verdict kept per code, what it learned) but not counted as one
    // the POS made: the metrics and the recent checks count the sale's check when it comes.
    auto finish =
        std::make_shared<Finish>([this, items, started, use, done = std::move(done)](
                                     CheckOutcome& outcome, Steady::duration upstream_time) {
            done(outcome);
            if (use == CheckUse::sale) report(*items, outcome, started, upstream_time);
            if (journal_ != nullptr)
                journal_->record(*items, outcome, module_.now_ms(), use == CheckUse::ahead);
        });
    if (use == CheckUse::sale && options_.ahead != nullptr) {
        std::vector<std::string_view> kis;
        kis.reserve(items->size());
        for (const CheckItem& item : *items) kis.push_back(item.code.ki());
        if (auto ahead = options_.ahead->take_all(kis)) {
            CheckOutcome outcome;
            outcome.module_status = module_.status();
            finish_ahead(*items, *ahead, outcome);
            return (*finish)(outcome, {});
        }
    }
    client_.check(executor, std::move(codes), std::move(fiscal_drive), deadline,
                  [this, executor, items, finish, use](OnlineCheck online) {
                      CheckOutcome outcome;
                      outcome.module_status = module_.status();
                      if (online.ok) {
                          finish_online(*items, online, outcome);
                          if (use == CheckUse::ahead)
                              keep_ahead(*items, outcome, online.answer.codes);
                      } else {
                          outcome.online_failure = std::move(online.failure);
                      }
                      if (outcome.source == CheckSource::none && lm_ != nullptr) {
                          return ask_lm(executor, items, std::move(outcome), online.upstream_time,
                                        finish, use);
                      }
                      if (outcome.source == CheckSource::none) finish_offline(*items, outcome);
                      (*finish)(outcome, online.upstream_time);
                  });
}

// Offline with a local module: the LM, within its own per-check budget (local_module.timeout_ms),
// so the POS has its answer within the online budget plus that, whatever the LM does.
void PermissiveChecker::ask_lm(boost::asio::any_io_executor executor,
                               std::shared_ptr<const std::vector<CheckItem>> items,
                               CheckOutcome outcome, Steady::duration upstream_time,
                               std::shared_ptr<Finish> finish, CheckUse use) {
    std::vector<LmCheckCode> lm_codes;
    lm_codes.reserve(items->size());
    for (const CheckItem& item : *items) {
        lm_codes.push_back({std::string(item.code.ki()), item.product_group});
    }
    lm_->check(std::move(executor), std::move(lm_codes), Steady::time_point::max(),
               [this, items, finish, outcome = std::move(outcome), upstream_time,
                use](LmCheck lm) mutable {
                   if (lm.ok) finish_lm(*items, lm, outcome);
                   if (use == CheckUse::ahead) keep_ahead(*items, outcome, {});
                   if (outcome.source == CheckSource::none) {
                       outcome.lm_failure = std::move(lm.failure);
                       outcome.lm_failure_kind = lm.ok ? "protocol" : lm.kind;
                       finish_offline(*items, outcome);
                       apply_failure_policy(outcome);
                   }
                   (*finish)(outcome, upstream_time + lm.elapsed);
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

// The local module answered: its verdict (lm-api.md §7.2) with its identity in tag 1265, and
// piotd's own lists on top: a refusal by either refuses, and piotd's is named (own_list).
void PermissiveChecker::finish_lm(const std::vector<CheckItem>& items, LmCheck& lm,
                                  CheckOutcome& outcome) {
    const auto& answers = lm.answer.codes;
    std::vector<const protocol::LmClientCode*> matched(items.size(), nullptr);
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string_view ki = items[i].code.ki();
        for (const auto& answer : answers) {
            if (answer.cis == ki || answer.cis == items[i].code.full()) {
                matched[i] = &answer;
                break;
            }
        }
        // An answer that does not echo the codes is taken in request order.
        if (matched[i] == nullptr && answers.size() == items.size()) matched[i] = &answers[i];
        if (matched[i] == nullptr) {
            lm.failure = "the local module's answer has no entry for code " + std::to_string(i + 1);
            return;
        }
    }
    outcome.source = CheckSource::lm;
    outcome.req_id = lm.answer.req_id;
    outcome.req_timestamp_ms = lm.answer.req_timestamp_ms;
    outcome.inst = lm.answer.inst;
    outcome.version = lm.answer.version;
    const std::string prop = protocol::industry_prop_value_offline(
        outcome.req_id, outcome.req_timestamp_ms, outcome.inst, outcome.version);
    const bool own_lists = outcome.module_status == protocol::LmStatus::ready;
    outcome.items.resize(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        const protocol::LmClientCode& code = *matched[i];
        ItemVerdict& verdict = outcome.items[i];
        // The item's own views (they outlive the answer); the LM's flags and prices.
        protocol::LmCodeResult& result = verdict.offline;
        result.is_blocked = code.is_blocked.value_or(false);
        result.is_grey_gtin = code.is_grey_gtin.value_or(false);
        result.sold = code.sold.value_or(false);
        if (code.mrp && *code.mrp >= 0 && *code.mrp <= UINT32_MAX) {
            result.mrp = static_cast<std::uint32_t>(*code.mrp);
        }
        if (code.smp && *code.smp >= 0 && *code.smp <= UINT32_MAX) {
            result.smp = static_cast<std::uint32_t>(*code.smp);
        }
        verdict.upstream_json = code.raw_json;
        verdict.industry_prop_value = prop;
        decide_lm_item(items[i], verdict, own_lists);
    }
}

// One code of an LM answer (its flags already in verdict.offline): §7.2, then piotd's own lists
// on top (while they are ready): a refusal by them adds its reasons and own_list.
void PermissiveChecker::decide_lm_item(const CheckItem& item, ItemVerdict& verdict,
                                       bool own_lists) const {
    protocol::LmCodeResult& result = verdict.offline;
    result.cis = item.code.ki();
    result.gtin = item.code.gtin();
    result.print_view = item.code.print_view();
    if (!result.mrp) result.mrp = item.code.pack_mrp();
    verdict.decision = protocol::decide_offline(result, context(item));
    if (!own_lists) return;
    try {
        const protocol::LmCodeResult own = lookup_code(module_, item.code, Learned::ignored);
        const protocol::SaleDecision own_decision = protocol::decide_offline(own, context(item));
        if (own_decision.allowed) return;
        for (const protocol::Reason* reason : own_decision.reasons()) {
            if (reason->refuses) verdict.decision.add(reason->id);
        }
        verdict.decision.add(protocol::ReasonId::own_list);
    } catch (const storage::StorageError& e) {
        // The LM's verdict stands; piotd's own refusal could not be looked up.
        log_error("permissive", std::string("local lists unavailable: ") + e.what());
    }
}

// A sale check whose codes were all checked ahead: their upstream answers, decided again with
// this sale's prices, each with the reqId of the check that covered it.
void PermissiveChecker::finish_ahead(const std::vector<CheckItem>& items,
                                     std::vector<AheadVerdict>& ahead, CheckOutcome& outcome) {
    const AheadVerdict& first = ahead.front();
    outcome.source = first.from_lm ? CheckSource::lm : CheckSource::online;
    outcome.checked_ahead = true;
    outcome.host = first.host;
    outcome.req_id = first.req_id;
    outcome.req_timestamp_ms = first.req_timestamp_ms;
    outcome.inst = first.inst;
    outcome.version = first.version;
    const bool own_lists = outcome.module_status == protocol::LmStatus::ready;
    outcome.items.resize(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        AheadVerdict& cached = ahead[i];
        ItemVerdict& verdict = outcome.items[i];
        verdict.upstream_json = std::move(cached.upstream_json);
        verdict.industry_prop_value = std::move(cached.industry_prop_value);
        if (!cached.from_lm) {
            verdict.decision = protocol::decide_online(cached.online, context(items[i]));
            continue;
        }
        verdict.offline.is_blocked = cached.is_blocked;
        verdict.offline.is_grey_gtin = cached.is_grey_gtin;
        verdict.offline.sold = cached.sold;
        verdict.offline.mrp = cached.mrp;
        verdict.offline.smp = cached.smp.value_or(0);
        decide_lm_item(items[i], verdict, own_lists);
    }
}

// A check made ahead of the sale keeps what the upstream said of each code for the sale's check.
void PermissiveChecker::keep_ahead(const std::vector<CheckItem>& items, const CheckOutcome& outcome,
                                   std::span<const protocol::TrueApiCodeResult> online) const {
    if (options_.ahead == nullptr || outcome.items.size() != items.size()) return;
    if (outcome.source != CheckSource::online && outcome.source != CheckSource::lm) return;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const ItemVerdict& verdict = outcome.items[i];
        AheadVerdict kept;
        kept.from_lm = outcome.source == CheckSource::lm;
        kept.req_id = outcome.req_id;
        kept.req_timestamp_ms = outcome.req_timestamp_ms;
        kept.inst = outcome.inst;
        kept.version = outcome.version;
        kept.host = outcome.host;
        kept.industry_prop_value = verdict.industry_prop_value;
        kept.upstream_json = verdict.upstream_json;
        if (kept.from_lm) {
            kept.is_blocked = verdict.offline.is_blocked;
            kept.is_grey_gtin = verdict.offline.is_grey_gtin;
            kept.sold = verdict.offline.sold;
            kept.mrp = verdict.offline.mrp;
            kept.smp = verdict.offline.smp;
        } else {
            bool found = false;
            for (const protocol::TrueApiCodeResult& result : online) {
                if (result.raw_json == verdict.upstream_json) {
                    kept.online = result;
                    found = true;
                    break;
                }
            }
            if (!found) continue;
        }
        options_.ahead->put(items[i].code.ki(), std::move(kept));
    }
}

// The LM gave no valid answer and piotd's own lists decided (local_module.on_failure).
void PermissiveChecker::apply_failure_policy(CheckOutcome& outcome) const {
    if (outcome.source != CheckSource::offline) return;
    switch (lm_->config().on_failure) {
        case LmFailurePolicy::own:
            return;
        case LmFailurePolicy::no_tag:
            for (ItemVerdict& verdict : outcome.items) verdict.industry_prop_value.clear();
            return;
        case LmFailurePolicy::deny:
            for (ItemVerdict& verdict : outcome.items) {
                verdict.decision.add(protocol::ReasonId::lm_unavailable);
            }
            return;
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
