// The [local_module] section of the config file and its flag (docs/local-module.md): the store's
// registered local module (ЛМ ЧЗ) piotd stands in front of. Its answers are the offline verdicts,
// and its identity (reqId, reqTimestamp, inst, version) goes into tag 1265.
//   --local-module URL, PIOTD_LM_USER, PIOTD_LM_PASSWORD override the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace piotd::daemon {

// Which LM API piotd speaks: detected from the LM itself (v2 status first, then v1), or fixed.
enum class LmApiChoice : std::uint8_t { automatic, v1, v2 };

// What the POS gets when the online check could not be made and the LM gave no usable answer
// (down, hanging, garbage, not ready, out of sync, circuit open). piotd's own lists decide in
// every case; the policy says what is done with their answer:
//   no_tag: a refusal refuses; an allowed sale goes without tag 1260 (the ТС ПИоТ "emergency
//           mode" of lm-api.md §7.3/§8: without a valid offline answer there is no 1265 CRPT
//           knows). The default.
//   own:    1265 carries piotd's own inst and version (CRPT does not know them).
//   deny:   every such sale is refused (4045/4050: no valid offline answer, §3.6/§7.3).
enum class LmFailurePolicy : std::uint8_t { no_tag, own, deny };

std::optional<LmFailurePolicy> parse_lm_failure_policy(std::string_view text);
std::string_view lm_failure_policy_name(LmFailurePolicy policy);

struct LocalModuleConfig {
    std::string url;  // empty: no local module (piotd's own lists are the offline source)
    std::string user = "admin";
    std::string password = "admin";  // the LM installer's default (lm-api.md §1)
    LmApiChoice api = LmApiChoice::automatic;
    unsigned timeout_ms = 400;           // one check exchange with the LM (its per-check budget)
    unsigned status_timeout_ms = 2'000;  // one status poll
    unsigned poll_period_ms = 5'000;     // status poll period
    unsigned failures_to_open = 3;       // consecutive failed checks that open the circuit
    unsigned open_min_ms = 1'000;        // the circuit stays open this long at first,
    unsigned open_max_ms = 60'000;       // doubling up to this
    LmFailurePolicy on_failure = LmFailurePolicy::no_tag;
    std::string client_id;  // X-ClientId sent to the LM (the fiscal drive number); empty: none
};

// One key of [local_module]; throws std::runtime_error naming the key on a bad value.
void set_local_module_value(LocalModuleConfig& config, std::string_view key,
                            std::string_view value);
// PIOTD_LM_USER / PIOTD_LM_PASSWORD when set.
void apply_local_module_environment(LocalModuleConfig& config);

}  // namespace piotd::daemon
