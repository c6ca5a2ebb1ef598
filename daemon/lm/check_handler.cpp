#include "daemon/lm/check_handler.hpp"

#include <chrono>
#include <vector>

#include "daemon/checks/held_checks.hpp"
#include "daemon/http/json_error.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/query_string.hpp"
#include "daemon/http/request_error_response.hpp"
#include "daemon/lm/lm_front_check.hpp"
#include "daemon/lm/readiness.hpp"
#include "daemon/version.hpp"
#include "protocol/lm/cis_list_request.hpp"
#include "protocol/codes/code_error.hpp"
#include "protocol/codes/marking_code.hpp"
#include "protocol/text/uuid.hpp"

namespace piotd::daemon {

using protocol::LmApiVersion;

namespace {

std::uint64_t elapsed_ns(std::chrono::steady_clock::time_point since) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now() - since)
                                          .count());
}

// One event for a request that was refused before any code was looked up.
void report_refused(const LocalModule& module, std::string_view code, CheckVerdict verdict) {
    CheckObserver* observer = module.check_observer();
    if (observer == nullptr) return;
    const CheckEvent event{"local", code, verdict, 0, module.now_ms()};
    observer->on_checks({&event, 1});
}

// `now` is the answer's reqTimestamp too: one clock read per request (60–90 ns each on the VMs
// measured, where reading the TSC is slow). The events are held and delivered once the answer is
// sent (held_checks.hpp): the returned function goes into the reply's after_sent.
AfterSent report_checked(const LocalModule& module, std::span<const protocol::LmCodeResult> results,
                         std::span<const std::uint64_t> durations_ns, std::int64_t now) {
    CheckObserver* observer = module.check_observer();
    if (observer == nullptr) return nullptr;
    for (std::size_t i = 0; i < results.size(); ++i) {
        hold_check(*observer,
                   {"local", results[i].cis,
                    results[i].is_blocked ? CheckVerdict::blocked : CheckVerdict::not_blocked,
                    durations_ns[i], now});
    }
    return &deliver_held_checks;
}

}  // namespace

protocol::LmCodeResult lookup_code(const LocalModule& module, const protocol::MarkingCode& code,
                                   Learned learned) {
    storage::CodeStatus status = module.lists().lookup(code);
    if (learned == Learned::ignored) status.learned_blocked = false;
    protocol::LmCodeResult result;
    result.cis = code.ki();
    result.gtin = code.gtin();
    result.print_view = code.print_view();
    result.is_blocked = status.blocked();
    result.sold = status.sold;
    result.mrp = code.pack_mrp();
    result.smp = status.min_price.value_or(0);
    result.repairs = code.repairs();
    result.gtin_check_digit_ok = code.gtin_check_digit_ok();
    return result;
}

namespace {

Response invalid_code(protocol::CodeError error, std::string_view where) {
    std::string description(where);
    description += ": ";
    description += protocol::code_error_message(error);
    description += " (";
    description += protocol::code_error_name(error);
    description += ")";
    return json_error(http::status::bad_request, ApiError::invalid_code, description);
}

Reply answer(const LocalModule& module, std::span<const protocol::LmCodeResult> codes,
             LmApiVersion api, bool wrapped, std::int64_t now, AfterSent after_sent) {
    const protocol::UuidText req_id = protocol::random_uuid_text();
    protocol::LmCheckAnswer answer;
    answer.req_id = {req_id.data(), req_id.size()};
    answer.req_timestamp_ms = now;
    answer.inst = module.inst();
    answer.version = kVersion;
    answer.codes = codes;

    // The answer is written straight into the body, which append_check_answer sizes: one
    // allocation, no copy.
    std::string body;
    if (wrapped) {
        protocol::append_check_results(body, answer, api);
    } else {
        protocol::append_check_answer(body, answer, api);
    }
    Reply reply = json_response(http::status::ok, std::move(body));
    reply.after_sent = after_sent;
    return reply;
}

}  // namespace

Reply handle_check_get(const LocalModule& module, const RequestContext& context, LmApiVersion api,
                       const LmRouteOptions* options) {
    LmClient* front = options != nullptr ? options->front : nullptr;
    // In front of a local module the LM's readiness decides (front_check), not piotd's own.
    if (auto not_ready = front ? std::nullopt : readiness_error(module)) {
        report_refused(module, {}, CheckVerdict::not_ready);
        return std::move(*not_ready);
    }
    std::string decoded;  // holds the code only when it came percent-encoded
    const QueryView cis = query_param_view(context.query, "cis", decoded);
    if (!cis.valid) {
        return json_error(http::status::bad_request, ApiError::invalid_field,
                          "query parameter cis is not valid percent-encoding");
    }
    if (!cis.present || cis.value.empty()) {
        return json_error(http::status::bad_request, ApiError::missing_field,
                          "query parameter cis is missing");
    }
    const auto started = std::chrono::steady_clock::now();
    const protocol::ParseResult parsed = protocol::parse_marking_code(cis.value);
    if (!parsed) {
        report_refused(module, cis.value, CheckVerdict::invalid_code);
        return invalid_code(parsed.error, "cis");
    }
    if (options != nullptr && options->seen && options->ahead_wanted())
        options->seen({{parsed.code, std::nullopt}});
    if (front != nullptr) {
        return front_check(
            module, *front, {{parsed.code, std::nullopt}}, false,
            [&module, code = parsed.code, api] {
                const protocol::LmCodeResult result = lookup_code(module, code);
                const std::int64_t now = module.now_ms();
                const std::uint64_t duration = 0;
                return answer(module, {&result, 1}, api, false, now,
                              report_checked(module, {&result, 1}, {&duration, 1}, now));
            },
            options->learn);
    }
    const protocol::LmCodeResult result = lookup_code(module, parsed.code);
    const std::uint64_t duration = elapsed_ns(started);
    const std::int64_t now = module.now_ms();
    const AfterSent after_sent = report_checked(module, {&result, 1}, {&duration, 1}, now);
    return answer(module, {&result, 1}, api, false, now, after_sent);
}

Reply handle_check_post(const LocalModule& module, const RequestContext& context, LmApiVersion api,
                        const LmRouteOptions* options) {
    LmClient* front = options != nullptr ? options->front : nullptr;
    if (auto not_ready = front ? std::nullopt : readiness_error(module)) {
        report_refused(module, {}, CheckVerdict::not_ready);
        return std::move(*not_ready);
    }
    const protocol::CisListRequest request =
        protocol::decode_cis_list(context.request.body(), module.config().max_codes_per_request);
    if (auto refused = request_error_response(request.error, request.detail)) {
        return std::move(*refused);
    }

    std::vector<protocol::MarkingCode> codes;
    codes.reserve(request.entries.size());
    for (std::size_t i = 0; i < request.entries.size(); ++i) {
        protocol::ParseResult parsed = protocol::parse_marking_code(request.entries[i].cis);
        if (!parsed) {
            report_refused(module, request.entries[i].cis, CheckVerdict::invalid_code);
            return invalid_code(parsed.error, "cis_list[" + std::to_string(i) + "]");
        }
        codes.push_back(parsed.code);
    }
    if (options != nullptr && options->seen && options->ahead_wanted()) {
        std::vector<FrontCheckCode> seen;
        seen.reserve(codes.size());
        for (std::size_t i = 0; i < codes.size(); ++i) {
            seen.push_back({codes[i], request.entries[i].pg});
        }
        options->seen(std::move(seen));
    }
    if (front != nullptr) {
        std::vector<FrontCheckCode> asked;
        asked.reserve(codes.size());
        for (std::size_t i = 0; i < codes.size(); ++i) {
            asked.push_back({codes[i], request.entries[i].pg});
        }
        return front_check(
            module, *front, std::move(asked), true,
            [&module, codes = std::move(codes), api] {
                std::vector<protocol::LmCodeResult> results;
                std::vector<std::uint64_t> durations(codes.size(), 0);
                results.reserve(codes.size());
                for (const auto& code : codes) {
                    results.push_back(lookup_code(module, code));
                }
                const std::int64_t now = module.now_ms();
                return answer(module, results, api, true, now,
                              report_checked(module, results, durations, now));
            },
            options->learn);
    }
    std::vector<protocol::LmCodeResult> results;
    results.reserve(codes.size());
    std::vector<std::uint64_t> durations;
    durations.reserve(codes.size());
    // One clock read per code: each code's time runs from the previous code's end.
    auto last = std::chrono::steady_clock::now();
    for (const protocol::MarkingCode& code : codes) {
        results.push_back(lookup_code(module, code));
        const auto now = std::chrono::steady_clock::now();
        durations.push_back(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - last).count()));
        last = now;
    }
    const std::int64_t now = module.now_ms();
    const AfterSent after_sent = report_checked(module, results, durations, now);
    return answer(module, results, api, true, now, after_sent);
}

}  // namespace piotd::daemon
