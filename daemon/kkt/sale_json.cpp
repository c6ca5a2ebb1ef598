#include "daemon/kkt/sale_json.hpp"

#include <rapidjson/document.h>

#include <limits>

#include "protocol/json/json_writer.hpp"

namespace piotd::daemon {

namespace {

bool string_member(const rapidjson::Value& object, const char* name, std::string& out) {
    const auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString()) return false;
    out.assign(it->value.GetString(), it->value.GetStringLength());
    return true;
}

}  // namespace

std::string write_sale_json(const Sale& sale) {
    protocol::JsonBuffer buffer;
    protocol::JsonWriter w(buffer);
    w.StartObject();
    protocol::write_key(w, "fnNumber");
    protocol::write_string(w, sale.fn_number);
    protocol::write_key(w, "documentNumber");
    w.Uint(sale.document_number);
    protocol::write_key(w, "fiscalSign");
    w.Uint(sale.fiscal_sign);
    protocol::write_key(w, "timeMs");
    w.Int64(sale.time_ms);
    protocol::write_key(w, "items");
    w.StartArray();
    for (const SoldItem& item : sale.items) {
        w.StartObject();
        protocol::write_key(w, "ki");
        protocol::write_string(w, item.ki);
        protocol::write_key(w, "code");
        protocol::write_string(w, item.code);
        protocol::write_key(w, "priceKopecks");
        w.Uint64(item.price_kopecks);
        protocol::write_key(w, "tag1265");
        protocol::write_string(w, item.tag1265);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

std::optional<Sale> read_sale_json(std::string_view json) {
    rapidjson::Document document;
    // Depth is bounded by what the reader accepts: an object of an array of flat objects.
    document.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
    if (document.HasParseError() || !document.IsObject()) return std::nullopt;
    Sale sale;
    if (!string_member(document, "fnNumber", sale.fn_number)) return std::nullopt;
    const auto number = document.FindMember("documentNumber");
    const auto sign = document.FindMember("fiscalSign");
    const auto time = document.FindMember("timeMs");
    const auto items = document.FindMember("items");
    if (number == document.MemberEnd() || !number->value.IsUint() || sign == document.MemberEnd() ||
        !sign->value.IsUint() || time == document.MemberEnd() || !time->value.IsInt64() ||
        items == document.MemberEnd() || !items->value.IsArray()) {
        return std::nullopt;
    }
    sale.document_number = number->value.GetUint();
    sale.fiscal_sign = sign->value.GetUint();
    sale.time_ms = time->value.GetInt64();
    for (const auto& value : items->value.GetArray()) {
        if (!value.IsObject()) return std::nullopt;
        SoldItem item;
        const auto price = value.FindMember("priceKopecks");
        if (!string_member(value, "ki", item.ki) || !string_member(value, "code", item.code) ||
            !string_member(value, "tag1265", item.tag1265) || price == value.MemberEnd() ||
            !price->value.IsUint64() || item.ki.empty()) {
            return std::nullopt;
        }
        item.price_kopecks = price->value.GetUint64();
        sale.items.push_back(std::move(item));
    }
    return sale;
}

}  // namespace piotd::daemon
