#include "protocol/trueapi/true_api_document.hpp"

#include <rapidjson/document.h>

#include <algorithm>

#include "protocol/text/base64.hpp"
#include "protocol/json/json_writer.hpp"
#include "protocol/json/upstream_json.hpp"

namespace piotd::protocol {

namespace {

void field(JsonWriter& writer, std::string_view key, std::string_view value) {
    if (value.empty()) return;
    write_key(writer, key);
    write_string(writer, value);
}

void primary_document(JsonWriter& writer, const RelayDocument& doc) {
    field(writer, "primary_document_type", doc.document_type);
    field(writer, "primary_document_number", doc.document_number);
    field(writer, "primary_document_date", doc.document_date);
    field(writer, "primary_document_custom_name", doc.document_custom_name);
}

// LK_RECEIPT (§A.5.3): the primary document in the header, codes with their cost.
void write_withdrawal(JsonWriter& writer, const RelayDocument& doc) {
    writer.StartObject();
    field(writer, "inn", doc.inn);
    field(writer, "action", doc.action);
    field(writer, "action_date", doc.action_date);
    field(writer, "document_type", doc.document_type);
    field(writer, "document_number", doc.document_number);
    field(writer, "document_date", doc.document_date);
    field(writer, "primary_document_custom_name", doc.document_custom_name);
    field(writer, "kkt_number", doc.kkt_number);
    write_key(writer, "products");
    writer.StartArray();
    for (const DocumentItem& item : doc.items) {
        writer.StartObject();
        field(writer, "cis", item.cis);
        if (item.price) {
            write_key(writer, "product_cost");
            writer.Int64(*item.price);
        }
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
}

// LP_RETURN (§A.5.4): the primary document is required per item, so it is repeated there.
void write_return(JsonWriter& writer, const RelayDocument& doc) {
    writer.StartObject();
    field(writer, "trade_participant_inn", doc.inn);
    field(writer, "return_type", doc.action);
    if (doc.paid) {
        write_key(writer, "paid");
        writer.Bool(*doc.paid);
    }
    primary_document(writer, doc);
    write_key(writer, "products_list");
    writer.StartArray();
    for (const DocumentItem& item : doc.items) {
        writer.StartObject();
        field(writer, "ki", item.cis);
        if (doc.paid) {
            write_key(writer, "paid");
            writer.Bool(*doc.paid);
        }
        primary_document(writer, doc);
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
}

bool base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=';
}

bool space(char c) {
    return c == '\n' || c == '\r' || c == ' ' || c == '\t';
}

std::string trimmed(std::string_view text) {
    while (!text.empty() && space(text.front())) text.remove_prefix(1);
    while (!text.empty() && space(text.back())) text.remove_suffix(1);
    return std::string(text);
}

}  // namespace

std::string_view true_api_type(const RelayDocument& document) {
    return document.type == DocumentType::withdrawal ? "LK_RECEIPT" : "LP_RETURN";
}

std::string true_api_body(const RelayDocument& document) {
    JsonBuffer buffer;
    JsonWriter writer(buffer);
    if (document.type == DocumentType::withdrawal) {
        write_withdrawal(writer, document);
    } else {
        write_return(writer, document);
    }
    return {buffer.GetString(), buffer.GetSize()};
}

std::string true_api_create_request(const RelayDocument& document, std::string_view body,
                                    std::string_view signature_base64) {
    JsonBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    field(writer, "document_format", "MANUAL");
    field(writer, "product_document", base64_encode(body));
    field(writer, "type", true_api_type(document));
    write_key(writer, "signature");
    write_string(writer, signature_base64);
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

std::optional<std::string> signature_text(std::string_view output) {
    const std::string text = trimmed(output);
    if (text.empty()) return std::nullopt;
    const bool textual =
        std::all_of(text.begin(), text.end(), [](char c) { return base64_char(c) || space(c); });
    if (!textual) return base64_encode(output);  // raw DER from the signer
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (!space(c)) out += c;  // "line breaks must be removed from the signature" (§A.5.2)
    }
    return out;
}

std::optional<std::string> parse_created_id(std::string_view body) {
    const std::string text = trimmed(body);
    const auto plain_id = [](std::string_view id) {
        return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   c == '-' || c == '_';
        });
    };
    if (plain_id(text)) return text;
    rapidjson::Document json;
    if (!parse_upstream_json(text, json)) return std::nullopt;
    const rapidjson::Value* value = &json;
    if (json.IsObject()) {
        for (const char* name : {"id", "document_id", "documentId"}) {
            if (const auto it = json.FindMember(name); it != json.MemberEnd()) {
                value = &it->value;
                break;
            }
        }
    }
    if (!value->IsString()) return std::nullopt;
    const std::string_view id(value->GetString(), value->GetStringLength());
    if (!plain_id(id)) return std::nullopt;
    return std::string(id);
}

TrueApiStatus parse_document_info(std::string_view body) {
    TrueApiStatus result;
    rapidjson::Document json;
    if (!parse_upstream_json(body, json)) return result;
    const rapidjson::Value* info = &json;
    if (json.IsArray()) {
        if (json.Empty()) return result;
        info = &json[0];
    }
    if (!info->IsObject()) return result;
    const auto status = info->FindMember("status");
    if (status == info->MemberEnd() || !status->value.IsString()) return result;
    result.status.assign(status->value.GetString(), status->value.GetStringLength());
    if (result.status == "CHECKED_OK") {
        result.progress = TrueApiProgress::accepted;
    } else if (result.status == "CHECKED_NOT_OK" || result.status == "PROCESSING_ERROR" ||
               result.status == "PARSE_ERROR" || result.status == "CANCELLED") {
        result.progress = TrueApiProgress::rejected;
    } else {
        // IN_PROGRESS, WAIT_FOR_CONTINUATION and anything newer: ask again later.
        result.progress = TrueApiProgress::processing;
    }
    for (const char* name : {"errors", "error_message", "downloadDesc"}) {
        const auto it = info->FindMember(name);
        if (it == info->MemberEnd()) continue;
        if (it->value.IsString()) {
            result.reason.assign(it->value.GetString(), it->value.GetStringLength());
        } else {
            JsonBuffer buffer;
            JsonWriter writer(buffer);
            it->value.Accept(writer);
            result.reason.assign(buffer.GetString(), buffer.GetSize());
        }
        break;
    }
    if (result.reason.size() > 1000) result.reason.resize(1000);
    return result;
}

std::string true_api_error_text(std::string_view body) {
    rapidjson::Document json;
    if (parse_upstream_json(body, json) && json.IsObject()) {
        for (const char* name : {"error_message", "description", "message"}) {
            const auto it = json.FindMember(name);
            if (it != json.MemberEnd() && it->value.IsString()) {
                return std::string(it->value.GetString(), it->value.GetStringLength());
            }
        }
    }
    return std::string(body.substr(0, 300));
}

}  // namespace piotd::protocol
