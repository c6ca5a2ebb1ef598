#include "protocol/kkt/kkt_receipt_request.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cmath>

namespace piotd::protocol {

namespace {

ReceiptRequest failed(RequestError error, std::string detail) {
    ReceiptRequest r;
    r.error = error;
    r.detail = std::move(detail);
    return r;
}

// A whole number of kopecks in [0, kMaxMoneyKopecks].
bool money(const rapidjson::Value& v, std::uint64_t& out) {
    if (!v.IsUint64() || v.GetUint64() > kMaxMoneyKopecks) return false;
    out = v.GetUint64();
    return true;
}

}  // namespace

std::uint64_t ReceiptRequest::total_kopecks() const {
    std::uint64_t total = 0;
    for (const ReceiptItem& item : items) {
        // price × quantity, rounded to the kopeck as the register does it.
        const long double sum = static_cast<long double>(item.price_kopecks) *
                                static_cast<long double>(item.quantity_millionths) / 1e6L;
        total += static_cast<std::uint64_t>(std::llround(sum));
    }
    return total;
}

ReceiptRequest decode_receipt_request(std::string_view body) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(body.data(),
                                                                                  body.size());
    if (doc.HasParseError()) {
        return failed(RequestError::invalid_json,
                      std::string("body is not JSON: ") +
                          rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                          std::to_string(doc.GetErrorOffset()));
    }
    if (!doc.IsObject()) return failed(RequestError::invalid_json, "body is not a JSON object");
    const auto items = doc.FindMember("items");
    if (items == doc.MemberEnd()) return failed(RequestError::missing_field, "items is missing");
    if (!items->value.IsArray())
        return failed(RequestError::invalid_field, "items is not an array");
    if (items->value.Empty()) return failed(RequestError::empty_list, "items is empty");
    if (items->value.Size() > kMaxReceiptItems) {
        return failed(RequestError::too_many_codes,
                      "more than " + std::to_string(kMaxReceiptItems) + " items");
    }
    ReceiptRequest request;
    for (rapidjson::SizeType i = 0; i < items->value.Size(); ++i) {
        const std::string where = "items[" + std::to_string(i) + "]";
        const auto& v = items->value[i];
        if (!v.IsObject()) return failed(RequestError::invalid_field, where + " is not an object");
        ReceiptItem item;
        const auto name = v.FindMember("name");
        if (name == v.MemberEnd())
            return failed(RequestError::missing_field, where + ".name is missing");
        if (!name->value.IsString() || name->value.GetStringLength() == 0 ||
            name->value.GetStringLength() > 512) {
            return failed(RequestError::invalid_field,
                          where + ".name must be a non-empty string of at most 512 bytes");
        }
        item.name.assign(name->value.GetString(), name->value.GetStringLength());
        const auto price = v.FindMember("price");
        if (price == v.MemberEnd())
            return failed(RequestError::missing_field, where + ".price is missing");
        if (!money(price->value, item.price_kopecks)) {
            return failed(RequestError::invalid_field,
                          where + ".price must be a whole number of kopecks from 0 to " +
                              std::to_string(kMaxMoneyKopecks));
        }
        if (const auto q = v.FindMember("quantity"); q != v.MemberEnd()) {
            if (!q->value.IsNumber() || !(q->value.GetDouble() > 0) ||
                q->value.GetDouble() > 100'000) {
                return failed(RequestError::invalid_field,
                              where + ".quantity must be a number above 0 and at most 100000");
            }
            const double millionths = std::round(q->value.GetDouble() * 1e6);
            if (millionths < 1) {
                return failed(RequestError::invalid_field, where + ".quantity is below 0.000001");
            }
            item.quantity_millionths = static_cast<std::uint64_t>(millionths);
        }
        if (const auto vat = v.FindMember("vat"); vat != v.MemberEnd()) {
            if (!vat->value.IsUint() || vat->value.GetUint() < 1 || vat->value.GetUint() > 6) {
                return failed(RequestError::invalid_field,
                              where + ".vat must be a tax group 1 to 6");
            }
            item.vat = static_cast<std::uint8_t>(vat->value.GetUint());
        }
        if (const auto code = v.FindMember("code");
            code != v.MemberEnd() && !code->value.IsNull()) {
            if (!code->value.IsString() || code->value.GetStringLength() == 0) {
                return failed(RequestError::invalid_field,
                              where + ".code must be a non-empty string");
            }
            item.code.emplace(code->value.GetString(), code->value.GetStringLength());
            if (item.quantity_millionths != 1'000'000) {
                return failed(
                    RequestError::invalid_field,
                    where + ".quantity must be 1 for a marked item (one code, one piece)");
            }
        }
        request.items.push_back(std::move(item));
    }
    const auto payment = doc.FindMember("payment");
    if (payment == doc.MemberEnd())
        return failed(RequestError::missing_field, "payment is missing");
    if (!payment->value.IsObject())
        return failed(RequestError::invalid_field, "payment is not an object");
    if (const auto cash = payment->value.FindMember("cash"); cash != payment->value.MemberEnd()) {
        if (!money(cash->value, request.cash_kopecks)) {
            return failed(RequestError::invalid_field,
                          "payment.cash must be a whole number of kopecks");
        }
    }
    if (const auto card = payment->value.FindMember("electronic");
        card != payment->value.MemberEnd()) {
        if (!money(card->value, request.electronic_kopecks)) {
            return failed(RequestError::invalid_field,
                          "payment.electronic must be a whole number of kopecks");
        }
    }
    const std::uint64_t total = request.total_kopecks();
    if (request.cash_kopecks + request.electronic_kopecks < total) {
        return failed(RequestError::invalid_field,
                      "payment (" +
                          std::to_string(request.cash_kopecks + request.electronic_kopecks) +
                          ") is less than the receipt total (" + std::to_string(total) + ")");
    }
    if (request.electronic_kopecks > total) {
        return failed(RequestError::invalid_field,
                      "payment.electronic is more than the receipt total");
    }
    return request;
}

}  // namespace piotd::protocol
