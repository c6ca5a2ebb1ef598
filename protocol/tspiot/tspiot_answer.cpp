#include "protocol/tspiot/tspiot_answer.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <array>

#include "protocol/text/base64.hpp"
#include "protocol/decision/tag1260.hpp"

namespace piotd::protocol {

namespace {

using Value = rapidjson::Value;

TsPiotCheckRequest failure(RequestError error, std::string detail) {
    TsPiotCheckRequest request;
    request.error = error;
    request.detail = std::move(detail);
    return request;
}

bool decode_code(const Value& value, std::string& out) {
    std::array<char, kMaxCodeLength> buffer{};
    const auto length =
        base64_decode({value.GetString(), value.GetStringLength()}, buffer.data(), buffer.size());
    if (!length || *length == 0) return false;
    out.assign(buffer.data(), *length);
    return true;
}

// client_info members are all optional strings; anything else is refused, not guessed at.
bool read_client_info(const Value& object, TsPiotClientInfo& out, std::string& detail) {
    const std::pair<const char*, std::string*> members[] = {
        {"name", &out.name}, {"version", &out.version}, {"id", &out.id}, {"token", &out.token}};
    for (const auto& [key, target] : members) {
        const auto member = object.FindMember(key);
        if (member == object.MemberEnd() || member->value.IsNull()) continue;
        if (!member->value.IsString()) {
            detail = std::string("client_info.") + key + " must be a string";
            return false;
        }
        target->assign(member->value.GetString(), member->value.GetStringLength());
    }
    return true;
}

}  // namespace

TsPiotCheckRequest decode_tspiot_check_request(std::string_view body, std::size_t max_codes) {
    rapidjson::Document document;
    document.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (document.HasParseError()) {
        return failure(RequestError::invalid_json,
                       std::string("body is not valid JSON: ") +
                           rapidjson::GetParseError_En(document.GetParseError()) + " at offset " +
                           std::to_string(document.GetErrorOffset()));
    }
    if (!document.IsObject())
        return failure(RequestError::invalid_json, "body must be a JSON object");
    const auto list = document.FindMember("codes");
    if (list == document.MemberEnd())
        return failure(RequestError::missing_field, "codes is missing");
    if (!list->value.IsArray())
        return failure(RequestError::invalid_field, "codes must be an array");
    const auto& array = list->value.GetArray();
    if (array.Empty()) return failure(RequestError::empty_list, "codes is empty");
    if (array.Size() > max_codes) {
        return failure(RequestError::too_many_codes,
                       "codes has " + std::to_string(array.Size()) + " entries; at most " +
                           std::to_string(max_codes) + " are accepted per request");
    }

    TsPiotCheckRequest request;
    request.codes.reserve(array.Size());
    for (rapidjson::SizeType i = 0; i < array.Size(); ++i) {
        const Value& item = array[i];
        const std::string where = "codes[" + std::to_string(i) + "]";
        TsPiotCodeEntry entry;
        const Value* cis = nullptr;
        if (item.IsString()) {
            cis = &item;
        } else if (item.IsObject()) {
            const auto member = item.FindMember("cis");
            if (member == item.MemberEnd()) {
                return failure(RequestError::missing_field, where + ".cis is missing");
            }
            if (!member->value.IsString()) {
                return failure(RequestError::invalid_field, where + ".cis must be a string");
            }
            cis = &member->value;
            const auto pg = item.FindMember("pg");
            if (pg != item.MemberEnd() && !pg->value.IsNull()) {
                if (!pg->value.IsInt()) {
                    return failure(RequestError::invalid_field, where + ".pg must be an integer");
                }
                entry.pg = pg->value.GetInt();
            }
        } else {
            return failure(RequestError::invalid_field,
                           where + " must be a base64 string or an object with cis");
        }
        if (!decode_code(*cis, entry.code)) {
            return failure(RequestError::invalid_field,
                           where + " must be padded base64 of a marking code of at most " +
                               std::to_string(kMaxCodeLength) + " bytes");
        }
        request.codes.push_back(std::move(entry));
    }

    const auto info = document.FindMember("client_info");
    if (info != document.MemberEnd() && !info->value.IsNull()) {
        if (!info->value.IsObject()) {
            return failure(RequestError::invalid_field, "client_info must be an object");
        }
        TsPiotClientInfo client;
        std::string detail;
        if (!read_client_info(info->value, client, detail)) {
            return failure(RequestError::invalid_field, std::move(detail));
        }
        request.client_info = std::move(client);
    }
    return request;
}

void write_sale_verdict_members(JsonWriter& writer, const SaleDecision& decision) {
    write_key(writer, "isSaleAllowed");
    writer.Bool(decision.allowed);
    write_key(writer, "reasons");
    writer.StartArray();
    for (const Reason* r : decision.reasons()) {
        writer.StartObject();
        write_key(writer, "code");
        write_string(writer, r->code);
        write_key(writer, "refuses");
        writer.Bool(r->refuses);
        write_key(writer, "messageRu");
        write_string(writer, r->message_ru);
        write_key(writer, "messageEn");
        write_string(writer, r->message_en);
        writer.EndObject();
    }
    writer.EndArray();
    if (decision.min_price_kopecks) {
        write_key(writer, "minPrice");
        writer.Int64(*decision.min_price_kopecks);
    }
    if (decision.max_price_kopecks) {
        write_key(writer, "maxPrice");
        writer.Int64(*decision.max_price_kopecks);
    }
}

namespace {

void write_piotd_members(JsonWriter& writer, const TsPiotCodeAnswer& code) {
    if (code.decision != nullptr) write_sale_verdict_members(writer, *code.decision);
    if (!code.industry_prop_value.empty()) {
        write_key(writer, "tag1260");
        write_tag1260(writer, code.industry_prop_value);
    }
}

// The local module's result in the True API code shape, as ESM answers offline: the flags the LM
// does not know are written false (tspiot-kkt.md §A.4.3, lm-api.md §7.2).
void write_offline_code(JsonWriter& writer, const TsPiotCodeAnswer& code) {
    const LmCodeResult& r = *code.offline;
    writer.StartObject();
    write_key(writer, "cis");
    write_string(writer, r.cis);
    write_key(writer, "gtin");
    write_string(writer, r.gtin);
    write_key(writer, "printView");
    write_string(writer, r.print_view);
    for (const char* flag : {"found", "valid", "verified", "utilised", "realizable"}) {
        write_key(writer, flag);
        writer.Bool(false);
    }
    write_key(writer, "isBlocked");
    writer.Bool(r.is_blocked);
    write_key(writer, "sold");
    writer.Bool(r.sold);
    if (r.mrp) {
        write_key(writer, "mrp");
        writer.Uint(*r.mrp);
    }
    if (r.smp != 0) {
        write_key(writer, "smp");
        writer.Uint(r.smp);
    }
    write_key(writer, "errorCode");
    writer.Int(0);
    write_piotd_members(writer, code);
    writer.EndObject();
}

// The members piotd appends to a code object. An upstream object that already has one of them
// is not echoed verbatim: a duplicate key would let the upstream's value win in the many JSON
// parsers that keep the last (or the first) occurrence.
constexpr std::string_view kPiotdMembers[] = {"isSaleAllowed", "reasons", "minPrice", "maxPrice",
                                              "tag1260"};

bool has_piotd_member(std::string_view raw) {
    for (const std::string_view key : kPiotdMembers) {
        if (raw.find(key) != std::string_view::npos) return true;  // cheap; the slow path is exact
    }
    return false;
}

// The upstream object re-written without piotd's member names, then piotd's members.
void write_rebuilt_code(JsonWriter& writer, const TsPiotCodeAnswer& code) {
    rapidjson::Document upstream;
    upstream.Parse<rapidjson::kParseIterativeFlag>(code.upstream_json.data(),
                                                   code.upstream_json.size());
    writer.StartObject();
    if (!upstream.HasParseError() && upstream.IsObject()) {
        for (const auto& member : upstream.GetObject()) {
            const std::string_view name(member.name.GetString(), member.name.GetStringLength());
            bool ours = false;
            for (const std::string_view key : kPiotdMembers) ours = ours || name == key;
            if (ours) continue;
            write_key(writer, name);
            member.value.Accept(writer);
        }
    }
    write_piotd_members(writer, code);
    writer.EndObject();
}

// The upstream object verbatim, with piotd's members spliced in before its closing brace.
void write_online_code(JsonWriter& writer, const TsPiotCodeAnswer& code) {
    const bool adds = code.decision != nullptr || !code.industry_prop_value.empty();
    if (adds && has_piotd_member(code.upstream_json)) return write_rebuilt_code(writer, code);
    std::string_view raw = code.upstream_json;
    while (!raw.empty() && raw.back() != '}') raw.remove_suffix(1);
    if (raw.empty()) {
        writer.StartObject();
        write_piotd_members(writer, code);
        writer.EndObject();
        return;
    }
    JsonBuffer extra_buffer;
    JsonWriter extra(extra_buffer);
    extra.StartObject();
    write_piotd_members(extra, code);
    extra.EndObject();
    const std::string_view members(extra_buffer.GetString() + 1, extra_buffer.GetSize() - 2);

    std::string merged(raw.substr(0, raw.size() - 1));
    if (!members.empty()) {
        // An empty upstream object takes no comma.
        std::size_t last = merged.find_last_not_of(" \t\r\n");
        if (last != std::string::npos && merged[last] != '{') merged.push_back(',');
        merged.append(members);
    }
    merged.push_back('}');
    writer.RawValue(merged.data(), merged.size(), rapidjson::kObjectType);
}

void write_code_response(JsonWriter& writer, const TsPiotCodeResponse& response) {
    writer.StartObject();
    write_key(writer, "code");
    writer.Int64(response.code);
    write_key(writer, "description");
    write_string(writer, response.description);
    write_key(writer, "codes");
    writer.StartArray();
    for (const TsPiotCodeAnswer& code : response.codes) {
        if (code.offline != nullptr)
            write_offline_code(writer, code);
        else
            write_online_code(writer, code);
    }
    writer.EndArray();
    write_key(writer, "reqId");
    write_string(writer, response.req_id);
    write_key(writer, "reqTimestamp");
    writer.Int64(response.req_timestamp_ms);
    write_key(writer, "isCheckedOffline");
    writer.Bool(response.checked_offline);
    if (response.checked_offline) {
        write_key(writer, "inst");
        write_string(writer, response.inst);
        write_key(writer, "version");
        write_string(writer, response.version);
    }
    writer.EndObject();
}

}  // namespace

void write_tspiot_check_answer(JsonWriter& writer, std::span<const TsPiotCodeResponse> responses,
                               TsPiotApiVersion api) {
    writer.StartObject();
    write_key(writer, "codesResponse");
    if (api == TsPiotApiVersion::v1) {
        writer.StartObject();
        write_key(writer, "codesResponse");
    }
    writer.StartArray();
    for (const TsPiotCodeResponse& response : responses) write_code_response(writer, response);
    writer.EndArray();
    if (api == TsPiotApiVersion::v1) {
        writer.EndObject();
    } else {
        write_key(writer, "code");
        writer.Null();
        write_key(writer, "message");
        writer.Null();
    }
    writer.EndObject();
}

void write_tspiot_emergency(JsonWriter& writer, std::string_view message,
                            std::span<const std::string_view> details) {
    writer.StartObject();
    write_key(writer, "code");
    writer.Int(203);
    write_key(writer, "message");
    write_string(writer, message);
    write_key(writer, "details");
    writer.StartArray();
    for (const std::string_view detail : details) write_string(writer, detail);
    writer.EndArray();
    writer.EndObject();
}

void write_tspiot_info(JsonWriter& writer, const TsPiotInfo& info, TsPiotApiVersion) {
    writer.StartObject();
    write_key(writer, "tspiotId");
    write_string(writer, info.tspiot_id);
    write_key(writer, "kktSerial");
    write_string(writer, info.kkt_serial);
    write_key(writer, "fnSerial");
    write_string(writer, info.fn_serial);
    write_key(writer, "kktInn");
    write_string(writer, info.kkt_inn);
    write_key(writer, "codesCheckTimeout");
    writer.Uint(info.codes_check_timeout_ms);
    if (info.lm) {
        write_key(writer, "lm");
        writer.StartObject();
        write_key(writer, "version");
        write_string(writer, info.lm->version);
        write_key(writer, "status");
        write_string(writer, info.lm->status);
        write_key(writer, "inst");
        write_string(writer, info.lm->inst);
        write_key(writer, "lastSync");
        writer.Int64(info.lm->last_sync_ms);
        writer.EndObject();
    }
    writer.EndObject();
}

}  // namespace piotd::protocol
