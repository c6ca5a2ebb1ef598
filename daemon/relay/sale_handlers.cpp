#include "daemon/relay/sale_handlers.hpp"

#include <rapidjson/document.h>

#include <charconv>
#include <unordered_map>

#include "daemon/http/json_error.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/http/query_string.hpp"
#include "daemon/http/request_error_response.hpp"
#include "daemon/relay/request_id.hpp"
#include "protocol/codes/code_error.hpp"
#include "protocol/lm/lm_sale.hpp"
#include "protocol/codes/marking_code.hpp"
#include "storage/sold_page.hpp"

namespace piotd::daemon {

namespace {

Response bad(ApiError error, const std::string& description) {
    return json_error(http::status::bad_request, error, description);
}

std::optional<std::size_t> number_param(std::string_view query, std::string_view name,
                                        std::size_t fallback, bool& valid) {
    const QueryValue value = query_param(query, name);
    if (!value.present || value.value.empty()) return fallback;
    std::size_t n = 0;
    const auto [end, ec] =
        std::from_chars(value.value.data(), value.value.data() + value.value.size(), n);
    if (ec != std::errc{} || end != value.value.data() + value.value.size()) {
        valid = false;
        return std::nullopt;
    }
    return n;
}

}  // namespace

Response handle_sale(RelayService& relay, const RequestContext& context,
                     protocol::DocumentType type) {
    const std::string& body = context.request.body();
    protocol::CisListRequest request =
        protocol::decode_cis_list(body, relay.module().config().max_codes_per_request);
    if (auto refused = request_error_response(request.error, request.detail)) {
        return std::move(*refused);
    }
    const RequestId id = request_id(context.request, body);
    if (!id.error.empty()) return bad(ApiError::invalid_field, id.error);

    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < request.entries.size(); ++i) {
        protocol::CisListEntry& entry = request.entries[i];
        const std::string where = "cis_list[" + std::to_string(i) + "]";
        const protocol::ParseResult parsed = protocol::parse_marking_code(entry.cis);
        if (!parsed) {
            return bad(ApiError::invalid_code,
                       where + ": " + std::string(protocol::code_error_message(parsed.error)) +
                           " (" + std::string(protocol::code_error_name(parsed.error)) + ")");
        }
        entry.cis = std::string(parsed.code.ki());
        if (entry.sold_unit_count && !entry.inner_unit_count) {
            return bad(ApiError::invalid_field,
                       where + ".soldUnitCount needs innerUnitCount (units in the pack)");
        }
        if (entry.sold_unit_count && *entry.sold_unit_count > *entry.inner_unit_count) {
            return bad(ApiError::invalid_field, where + ".soldUnitCount exceeds innerUnitCount");
        }
        if (const auto [at, fresh] = seen.emplace(entry.cis, i); !fresh) {
            return bad(ApiError::invalid_field,
                       where + ": the same code as cis_list[" + std::to_string(at->second) + "]");
        }
    }

    const SaleSubmitted submitted = relay.intake().sale(request.entries, id.id, type);
    const std::string results = protocol::write_sale_results(submitted.results, submitted.id);
    if (!submitted.any_success()) {
        // Nothing was sold: an error answer (errorCode) that still lists every code's result.
        std::string error = json_error_body(http::status::conflict, ApiError::already_sold,
                                            "no code was sold: every one is already sold");
        error.pop_back();
        error += ",";
        error += results.substr(1);
        return json_response(http::status::conflict, std::move(error));
    }
    const http::status status =
        type == protocol::DocumentType::withdrawal ? http::status::created : http::status::ok;
    return json_response(status, results);
}

Response handle_sold(RelayService& relay, const RequestContext& context) {
    bool valid = true;
    const auto skip = number_param(context.query, "skip", 0, valid);
    const auto limit = number_param(context.query, "limit", protocol::kMaxSoldPage, valid);
    if (!valid || !skip || !limit) {
        return bad(ApiError::invalid_field, "skip and limit must be whole numbers");
    }
    if (*limit > protocol::kMaxSoldPage) {
        return bad(ApiError::invalid_field,
                   "limit must not exceed " + std::to_string(protocol::kMaxSoldPage));
    }
    const storage::SoldPage page = storage::read_sold_page(relay.module().env(), *skip, *limit);
    std::vector<protocol::SoldItem> items;
    items.reserve(page.entries.size());
    for (const auto& entry : page.entries) items.push_back({entry.ki, entry.record.units});
    return json_response(http::status::ok, protocol::write_sold_page(page.total, items));
}

}  // namespace piotd::daemon
