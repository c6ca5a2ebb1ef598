#include "protocol/lm/cis_list_request.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace piotd::protocol {

namespace {

CisListRequest failure(RequestError error, std::string detail) {
    CisListRequest request;
    request.error = error;
    request.detail = std::move(detail);
    return request;
}

}  // namespace

CisListRequest decode_cis_list(std::string_view body, std::size_t max_codes) {
    rapidjson::Document document;
    // Iterative parsing: deep nesting from a hostile client cannot overflow the stack.
    document.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(body.data(),
                                                                                       body.size());
    if (document.HasParseError()) {
        return failure(RequestError::invalid_json,
                       std::string("body is not valid JSON: ") +
                           rapidjson::GetParseError_En(document.GetParseError()) + " at offset " +
                           std::to_string(document.GetErrorOffset()));
    }
    if (!document.IsObject()) {
        return failure(RequestError::invalid_json, "body must be a JSON object");
    }
    const auto list = document.FindMember("cis_list");
    if (list == document.MemberEnd()) {
        return failure(RequestError::missing_field, "cis_list is missing");
    }
    if (!list->value.IsArray()) {
        return failure(RequestError::invalid_field, "cis_list must be an array");
    }
    const auto& array = list->value.GetArray();
    if (array.Empty()) return failure(RequestError::empty_list, "cis_list is empty");
    if (array.Size() > max_codes) {
        return failure(RequestError::too_many_codes,
                       "cis_list has " + std::to_string(array.Size()) + " entries; at most " +
                           std::to_string(max_codes) + " are accepted per request");
    }

    CisListRequest request;
    request.entries.reserve(array.Size());
    for (rapidjson::SizeType i = 0; i < array.Size(); ++i) {
        const auto& item = array[i];
        const std::string where = "cis_list[" + std::to_string(i) + "]";
        CisListEntry entry;
        if (item.IsString()) {
            entry.cis.assign(item.GetString(), item.GetStringLength());
        } else if (item.IsObject()) {
            const auto cis = item.FindMember("cis");
            if (cis == item.MemberEnd()) {
                return failure(RequestError::missing_field, where + ".cis is missing");
            }
            if (!cis->value.IsString()) {
                return failure(RequestError::invalid_field, where + ".cis must be a string");
            }
            entry.cis.assign(cis->value.GetString(), cis->value.GetStringLength());
            const auto pg = item.FindMember("pg");
            if (pg != item.MemberEnd() && !pg->value.IsNull()) {
                if (!pg->value.IsInt()) {
                    return failure(RequestError::invalid_field, where + ".pg must be an integer");
                }
                entry.pg = pg->value.GetInt();
            }
            for (const auto& [name, out] : {std::pair{"soldUnitCount", &entry.sold_unit_count},
                                            std::pair{"innerUnitCount", &entry.inner_unit_count}}) {
                const auto count = item.FindMember(name);
                if (count == item.MemberEnd() || count->value.IsNull()) continue;
                if (!count->value.IsUint() || count->value.GetUint() == 0) {
                    return failure(RequestError::invalid_field,
                                   where + "." + name + " must be a positive integer");
                }
                *out = count->value.GetUint();
            }
        } else {
            return failure(RequestError::invalid_field,
                           where + " must be a string or an object with cis");
        }
        request.entries.push_back(std::move(entry));
    }
    return request;
}

}  // namespace piotd::protocol
