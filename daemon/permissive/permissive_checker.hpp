// The permissive-mode check chain (lm-api.md §7.3, docs/permissive-mode.md): the online True API
// check first, within a time budget that includes host failover; when it cannot be made, the
// store's local module (docs/local-module.md) with piotd's own lists on top; when there is no
// local module or it gives no valid answer, piotd's own lists (only while the module is `ready`)
// under local_module.on_failure; when neither, "cannot check". Optionally the local sold set is
// consulted beside a successful online check and refuses what it says was sold.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "daemon/checks/check_event.hpp"
#include "daemon/lm_upstream/lm_client.hpp"
#include "daemon/local_module.hpp"
#include "daemon/permissive/verdict_cache.hpp"
#include "daemon/trueapi/true_api_client.hpp"
#include "protocol/lm/lm_check_answer.hpp"
#include "protocol/codes/marking_code.hpp"
#include "protocol/decision/sale_decision.hpp"

namespace piotd::daemon {

class JournalWriter;

struct CheckItem {
    protocol::MarkingCode code;  // parsed and normalised; full() goes online
    std::optional<std::int64_t> price_kopecks;
    std::uint32_t quantity = 1;
    std::optional<int> product_group;
};

// online: the True API; lm: the store's local module; offline: piotd's own lists; none: no check.
enum class CheckSource : std::uint8_t { online, lm, offline, none };
std::string_view check_source_name(CheckSource source);

// sale: a check the POS makes before selling (piot/check, the register's receipt, the ТС ПИоТ
// API): it takes a verdict checked ahead when there is one. ahead: a check made when a code was
// seen (the scanner, the image endpoint, an LM-API check): its verdict is kept for the sale.
enum class CheckUse : std::uint8_t { sale, ahead };

struct ItemVerdict {
    protocol::SaleDecision decision;
    std::string upstream_json;        // online, lm: the code object as the upstream sent it
    protocol::LmCodeResult offline;   // lm, offline: the answer the offline rules were applied to
    std::string industry_prop_value;  // tag 1265; empty: no tag 1260 (local_module.on_failure)
};

struct CheckOutcome {
    CheckSource source = CheckSource::none;
    std::string online_failure;  // why the online check was not used; empty when it was
    std::string host;            // online: the CDN host that answered
    std::string req_id;
    std::int64_t req_timestamp_ms = 0;
    std::string inst;     // lm: the LM's (verbatim); offline: piotd's
    std::string version;  // likewise
    // The local module was asked and gave no valid answer: why (circuit open, timed out, not
    // ready …) and its kind (LmCheck::kind). Empty when it answered or is not configured.
    std::string lm_failure;
    std::string lm_failure_kind;
    bool checked_ahead = false;  // answered from a check made ahead of the sale (VerdictCache)
    protocol::LmStatus module_status = protocol::LmStatus::not_configured;
    std::vector<ItemVerdict> items;  // in the order of the request
};

struct PermissiveOptions {
    std::chrono::milliseconds budget{1500};  // --online-budget-ms
    bool parallel = false;                   // [trueapi] parallel_local: also ask the sold set
    std::string fiscal_drive_number;         // --fiscal-drive, when the request has none
    // Every code checked, with its source (online, offline, none), verdict and the chain's
    // latency: the check metrics (docs/operations.md). Null: not reported.
    CheckObserver* observer = nullptr;
    // Scan-ahead (verdict_cache.hpp): verdicts checked ahead, for the sale's check. Null: off.
    VerdictCache* ahead = nullptr;
};

using CheckDone = std::function<void(const CheckOutcome&)>;

class PermissiveChecker {
public:
    // `lm`: the store's local module, or null (piotd's own lists are then the offline source).
    PermissiveChecker(LocalModule& module, TrueApiClient& client, PermissiveOptions options,
                      JournalWriter* journal, LmClient* lm = nullptr);

    // Never blocks; `done` runs once, on `executor` (the HTTP connection's I/O thread), at the
    // latest when the budget is spent (plus the µs of the local lookup). `received`: when the
    // request arrived, so the reported duration includes its parsing (default: now).
    void check(boost::asio::any_io_executor executor,
               std::shared_ptr<const std::vector<CheckItem>> items, std::string fiscal_drive,
               CheckDone done, std::chrono::steady_clock::time_point received = {},
               CheckUse use = CheckUse::sale);

    const PermissiveOptions& options() const { return options_; }
    // The longest a check takes: the online budget, plus the LM's per-check budget when there
    // is an LM (docs/local-module.md).
    std::chrono::milliseconds answer_bound() const {
        return options_.budget +
               std::chrono::milliseconds(lm_ != nullptr ? lm_->config().timeout_ms : 0);
    }
    LocalModule& module() { return module_; }

private:
    // Answers the caller and reports; the online time (and the LM's) is what it waited upstream.
    using Finish = std::function<void(CheckOutcome&, std::chrono::steady_clock::duration)>;
    void ask_lm(boost::asio::any_io_executor executor,
                std::shared_ptr<const std::vector<CheckItem>> items, CheckOutcome outcome,
                std::chrono::steady_clock::duration upstream_time, std::shared_ptr<Finish> finish,
                CheckUse use);
    void finish_online(const std::vector<CheckItem>& items, OnlineCheck& online,
                       CheckOutcome& outcome);
    void finish_lm(const std::vector<CheckItem>& items, LmCheck& lm, CheckOutcome& outcome);
    void decide_lm_item(const CheckItem& item, ItemVerdict& verdict, bool own_lists) const;
    void finish_ahead(const std::vector<CheckItem>& items, std::vector<AheadVerdict>& ahead,
                      CheckOutcome& outcome);
    void keep_ahead(const std::vector<CheckItem>& items, const CheckOutcome& outcome,
                    std::span<const protocol::TrueApiCodeResult> online) const;
    void finish_offline(const std::vector<CheckItem>& items, CheckOutcome& outcome);
    void apply_failure_policy(CheckOutcome& outcome) const;
    protocol::SaleContext context(const CheckItem& item) const;
    void report(const std::vector<CheckItem>& items, const CheckOutcome& outcome,
                std::chrono::steady_clock::time_point started,
                std::chrono::steady_clock::duration upstream_time) const;

    LocalModule& module_;
    TrueApiClient& client_;
    PermissiveOptions options_;
    JournalWriter* journal_;
    LmClient* lm_;
};

}  // namespace piotd::daemon
