#include "daemon/permissive/piot_check_request.hpp"

#include <rapidjson/document.h>

#include "protocol/codes/code_error.hpp"

namespace piotd::daemon {

PiotCheckRequest parse_piot_check_request(std::string_view body, std::size_t max_items) {
    PiotCheckRequest request;
    rapidjson::Document document;
    // Iterative: deep nesting from a hostile client cannot overflow the stack.
    document.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (document.HasParseError() || !document.IsObject()) {
        request.invalid_json = true;
        request.error = "body is not a JSON object";
        return request;
    }
    const auto items = document.FindMember("items");
    if (items == document.MemberEnd() || !items->value.IsArray() || items->value.Empty()) {
        request.error = "items must be a non-empty array";
        return request;
    }
    if (items->value.Size() > max_items) {
        request.error = "items: more than " + std::to_string(max_items) + " codes";
        return request;
    }
    if (const auto drive = document.FindMember("fiscalDriveNumber");
        drive != document.MemberEnd() && !drive->value.IsNull()) {
        if (!drive->value.IsString() || drive->value.GetStringLength() > 32) {
            request.error = "fiscalDriveNumber must be a string of at most 32 characters";
            return request;
        }
        request.fiscal_drive_number.assign(drive->value.GetString(),
                                           drive->value.GetStringLength());
    }
    std::size_t index = 0;
    for (const auto& entry : items->value.GetArray()) {
        const std::string where = "items[" + std::to_string(index++) + "]";
        if (!entry.IsObject()) {
            request.error = where + " must be an object";
            return request;
        }
        const auto code = entry.FindMember("code");
        if (code == entry.MemberEnd() || !code->value.IsString()) {
            request.error = where + ".code must be a string";
            return request;
        }
        const protocol::ParseResult parsed = protocol::parse_marking_code(
            std::string_view(code->value.GetString(), code->value.GetStringLength()));
        if (!parsed) {
            request.invalid_code = true;
            request.error = where +
                            ".code: " + std::string(protocol::code_error_message(parsed.error)) +
                            " (" + std::string(protocol::code_error_name(parsed.error)) + ")";
            return request;
        }
        CheckItem item;
        item.code = parsed.code;
        if (const auto price = entry.FindMember("price");
            price != entry.MemberEnd() && !price->value.IsNull()) {
            if (!price->value.IsInt64() || price->value.GetInt64() < 0 ||
                price->value.GetInt64() > 100'000'000'000LL) {
                request.error = where + ".price must be a whole number of kopecks";
                return request;
            }
            item.price_kopecks = price->value.GetInt64();
        }
        if (const auto quantity = entry.FindMember("quantity");
            quantity != entry.MemberEnd() && !quantity->value.IsNull()) {
            if (!quantity->value.IsUint() || quantity->value.GetUint() == 0 ||
                quantity->value.GetUint() > 1'000'000) {
                request.error = where + ".quantity must be a positive whole number";
                return request;
            }
            item.quantity = quantity->value.GetUint();
        }
        if (const auto pg = entry.FindMember("pg");
            pg != entry.MemberEnd() && !pg->value.IsNull()) {
            if (!pg->value.IsInt() || pg->value.GetInt() < 0 || pg->value.GetInt() > 1000) {
                request.error = where + ".pg must be a product group id";
                return request;
            }
            item.product_group = pg->value.GetInt();
        }
        request.items.push_back(item);
    }
    return request;
}

}  // namespace piotd::daemon
