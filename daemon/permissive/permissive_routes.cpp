#include "daemon/permissive/permissive_routes.hpp"

#include <charconv>
#include <chrono>

#include "daemon/http/json_error.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/query_string.hpp"
#include "daemon/permissive/piot_check_request.hpp"
#include "protocol/codes/code_error.hpp"
#include "protocol/json/json_writer.hpp"
#include "protocol/codes/marking_code.hpp"
#include "protocol/decision/tag1260.hpp"
#include "storage/check_journal.hpp"

namespace piotd::daemon {

namespace {

using protocol::write_key;
using protocol::write_string;

// The local lists' answer for one code, in the LM v2 shape.
void write_offline_code(protocol::JsonWriter& writer, const protocol::LmCodeResult& result) {
    writer.StartObject();
    write_key(writer, "cis");
    write_string(writer, result.cis);
    write_key(writer, "gtin");
    write_string(writer, result.gtin);
    write_key(writer, "printView");
    write_string(writer, result.print_view);
    write_key(writer, "isBlocked");
    writer.Bool(result.is_blocked);
    write_key(writer, "sold");
    writer.Bool(result.sold);
    if (result.mrp) {
        write_key(writer, "mrp");
        writer.Uint(*result.mrp);
    }
    write_key(writer, "smp");
    writer.Uint(result.smp);
    writer.EndObject();
}

void write_item(protocol::JsonWriter& writer, const CheckOutcome& outcome,
                const ItemVerdict& verdict) {
    writer.StartObject();
    write_key(writer, "isSaleAllowed");
    writer.Bool(verdict.decision.allowed);
    write_key(writer, "source");
    write_string(writer, check_source_name(outcome.source));
    write_key(writer, "reasons");
    writer.StartArray();
    for (const protocol::Reason* reason : verdict.decision.reasons()) {
        writer.StartObject();
        write_key(writer, "code");
        write_string(writer, reason->code);
        write_key(writer, "message_ru");
        write_string(writer, reason->message_ru);
        write_key(writer, "message_en");
        write_string(writer, reason->message_en);
        writer.EndObject();
    }
    writer.EndArray();
    write_key(writer, "upstream");
    // Online and from the local module: the upstream's code object byte for byte (fields piotd
    // does not model pass through); from piotd's own lists: their answer in the LM v2 shape.
    if (outcome.source == CheckSource::online || outcome.source == CheckSource::lm) {
        writer.RawValue(verdict.upstream_json.data(), verdict.upstream_json.size(),
                        rapidjson::kObjectType);
    } else {
        write_offline_code(writer, verdict.offline);
    }
    write_key(writer, "tag1260");
    if (verdict.industry_prop_value.empty()) {
        // local_module.on_failure = no_tag: no valid offline answer, so no tag 1260 (§8).
        writer.Null();
        write_key(writer, "tag1260Hex");
        writer.Null();
        writer.EndObject();
        return;
    }
    writer.StartObject();
    write_key(writer, "1262");
    write_string(writer, protocol::kFoivId);
    write_key(writer, "1263");
    write_string(writer, protocol::kFoundationDocDate);
    write_key(writer, "1264");
    write_string(writer, protocol::kFoundationDocNumber);
    write_key(writer, "1265");
    write_string(writer, verdict.industry_prop_value);
    writer.EndObject();
    write_key(writer, "tag1260Hex");
    const auto tlv = protocol::encode_tag1260(verdict.industry_prop_value);
    if (tlv) {
        write_string(writer, protocol::to_hex(*tlv));
    } else {
        writer.Null();
    }
    writer.EndObject();
}

Response piot_answer(const CheckOutcome& outcome) {
    if (outcome.source == CheckSource::none) {
        return json_error(
            http::status::service_unavailable, ApiError::cannot_check,
            "cannot check: online check failed (" + outcome.online_failure + ")" +
                (outcome.lm_failure.empty() ? std::string() : ", " + outcome.lm_failure) +
                " and the local module is " +
                std::string(protocol::lm_status_name(outcome.module_status)));
    }
    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    write_key(writer, "items");
    writer.StartArray();
    for (const ItemVerdict& verdict : outcome.items) write_item(writer, outcome, verdict);
    writer.EndArray();
    write_key(writer, "reqId");
    write_string(writer, outcome.req_id);
    write_key(writer, "reqTimestamp");
    writer.Int64(outcome.req_timestamp_ms);
    if (!outcome.inst.empty()) {
        write_key(writer, "inst");
        write_string(writer, outcome.inst);
        write_key(writer, "version");
        write_string(writer, outcome.version);
    }
    if (outcome.checked_ahead) {
        // Answered from the check made when the code was seen (scan-ahead): its reqId.
        write_key(writer, "checkedAhead");
        writer.Bool(true);
    }
    if (!outcome.online_failure.empty()) {
        write_key(writer, "onlineFailure");
        write_string(writer, outcome.online_failure);
    }
    if (!outcome.lm_failure.empty()) {
        write_key(writer, "lmFailure");
        write_string(writer, outcome.lm_failure);
        write_key(writer, "lmFailureKind");
        write_string(writer, outcome.lm_failure_kind);
    }
    writer.EndObject();
    return json_response(http::status::ok, std::string(buffer.GetString(), buffer.GetSize()));
}

Reply handle_piot_check(PermissiveChecker& checker, const RequestContext& context) {
    const auto received = std::chrono::steady_clock::now();
    PiotCheckRequest request = parse_piot_check_request(
        context.request.body(), checker.module().config().max_codes_per_request);
    if (!request.error.empty()) {
        const ApiError error = request.invalid_json   ? ApiError::invalid_json
                               : request.invalid_code ? ApiError::invalid_code
                                                      : ApiError::invalid_field;
        return json_error(http::status::bad_request, error, request.error);
    }
    auto items = std::make_shared<const std::vector<CheckItem>>(std::move(request.items));
    return Reply::later([&checker, items, received,
                         drive = std::move(request.fiscal_drive_number)](ReplyCompletion complete) {
        checker.check(
            complete.executor(), items, drive,
            [complete](const CheckOutcome& outcome) { complete(piot_answer(outcome)); }, received);
    });
}

std::optional<std::int64_t> number_param(std::string_view query, std::string_view name, bool& bad) {
    const QueryValue value = query_param(query, name);
    if (!value.present) return std::nullopt;
    std::int64_t number = 0;
    const char* end = value.value.data() + value.value.size();
    const auto [ptr, ec] = std::from_chars(value.value.data(), end, number);
    if (!value.valid || value.value.empty() || ec != std::errc{} || ptr != end || number < 0) {
        bad = true;
        return std::nullopt;
    }
    return number;
}

Response handle_journal(LocalModule& module, const RequestContext& context) {
    bool bad = false;
    const auto limit = number_param(context.query, "limit", bad);
    const auto since = number_param(context.query, "since", bad);
    if (bad) {
        return json_error(http::status::bad_request, ApiError::invalid_field,
                          "limit and since must be non-negative whole numbers");
    }
    const std::size_t count =
        static_cast<std::size_t>(std::min<std::int64_t>(limit.value_or(100), 10'000));
    storage::ReadTxn txn(module.env());
    const auto entries = storage::read_journal(txn, count, since.value_or(0));
    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    write_key(writer, "entries");
    writer.StartArray();
    for (const storage::JournalEntry& entry : entries) {
        writer.StartObject();
        write_key(writer, "seq");
        writer.Uint64(entry.seq);
        write_key(writer, "time");
        writer.Int64(entry.time_ms);
        write_key(writer, "code");
        write_string(writer, entry.code);
        write_key(writer, "isSaleAllowed");
        writer.Bool(entry.allowed);
        write_key(writer, "source");
        write_string(writer, entry.source);
        write_key(writer, "reqId");
        write_string(writer, entry.req_id);
        write_key(writer, "detail");
        write_string(writer, entry.detail);
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return json_response(http::status::ok, std::string(buffer.GetString(), buffer.GetSize()));
}

// GET /api/v1/verdict?cis=CODE: the code's newest upstream verdict (True API or local module)
// while the journal keeps it; 404 when there is none.
Response handle_verdict(LocalModule& module, const RequestContext& context) {
    std::string decoded;
    const QueryView cis = query_param_view(context.query, "cis", decoded);
    if (!cis.valid || !cis.present || cis.value.empty()) {
        return json_error(http::status::bad_request, ApiError::missing_field,
                          "query parameter cis is missing or not valid percent-encoding");
    }
    const protocol::ParseResult parsed = protocol::parse_marking_code(cis.value);
    if (!parsed) {
        return json_error(
            http::status::bad_request, ApiError::invalid_code,
            std::string("cis: ") + std::string(protocol::code_error_message(parsed.error)));
    }
    storage::ReadTxn txn(module.env());
    const auto entry = storage::read_verdict(txn, parsed.code.ki());
    if (!entry) {
        return json_error(http::status::not_found, ApiError::not_found,
                          "no upstream verdict is kept for this code");
    }
    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    write_key(writer, "cis");
    write_string(writer, entry->verdict_ki);
    write_key(writer, "time");
    writer.Int64(entry->time_ms);
    write_key(writer, "source");
    write_string(writer, entry->source);
    write_key(writer, "isSaleAllowed");
    writer.Bool(entry->allowed);
    write_key(writer, "reqId");
    write_string(writer, entry->req_id);
    write_key(writer, "detail");
    write_string(writer, entry->detail);
    write_key(writer, "journalSeq");
    writer.Uint64(entry->seq);
    writer.EndObject();
    return json_response(http::status::ok, std::string(buffer.GetString(), buffer.GetSize()));
}

Response handle_hosts(const TrueApiClient& client) {
    const TrueApiClient::HostsView view = client.hosts();
    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    write_key(writer, "hosts");
    writer.StartArray();
    for (const CdnHost& host : view.hosts) {
        writer.StartObject();
        write_key(writer, "host");
        write_string(writer, host.url);
        write_key(writer, "avgTimeMs");
        writer.Int64(host.avg_time_ms);
        write_key(writer, "healthy");
        writer.Bool(host.healthy);
        write_key(writer, "blockedUntil");
        writer.Int64(host.blocked_until_ms);
        write_key(writer, "blocks");
        writer.Uint64(host.failures);
        writer.EndObject();
    }
    writer.EndArray();
    write_key(writer, "lastRefresh");
    writer.Int64(view.last_refresh_ms);
    write_key(writer, "nextRefresh");
    writer.Int64(view.next_refresh_ms);
    write_key(writer, "lastError");
    write_string(writer, view.last_refresh_error);
    writer.EndObject();
    return json_response(http::status::ok, std::string(buffer.GetString(), buffer.GetSize()));
}

}  // namespace

void add_permissive_routes(Router& router, PermissiveChecker& checker, TrueApiClient& client) {
    router.add(http::verb::post, "/api/v1/piot/check",
               [&checker](const RequestContext& c) { return handle_piot_check(checker, c); });
    router.add(http::verb::get, "/api/v1/journal", [&checker](const RequestContext& c) {
        return Reply(handle_journal(checker.module(), c));
    });
    router.add(http::verb::get, "/api/v1/verdict", [&checker](const RequestContext& c) {
        return Reply(handle_verdict(checker.module(), c));
    });
    router.add(http::verb::get, "/api/v1/trueapi/hosts",
               [&client](const RequestContext&) { return Reply(handle_hosts(client)); });
}

}  // namespace piotd::daemon
