// The POS-facing API of ТС ПИоТ (ESM) that piotd mimics (tspiot-kkt.md §A.4):
//   POST /api/v{1,2,3}/codes/check   {"codes":["<base64 of the raw КМ, GS included>"],
//                                     "client_info":{"name","version","id","token"}}
//                                    v3: "codes":[{"cis":"<base64>","pg":<int>}]
//   GET|POST /api/v{1,2,3}/info
// Answers (§A.4.3): v1 nests the list twice, {"codesResponse":{"codesResponse":[…]}}; v2/v3 are
// flat, {"codesResponse":[…],"code":null,"message":null}. Each CodeResponse is
// {code, description, codes[…], reqId, reqTimestamp, isCheckedOffline[, inst, version]} and each
// code the True API's own object. piotd adds, per code, its verdict: "isSaleAllowed", "reasons"
// and, where a check id exists, "tag1260".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/lm/cis_list_request.hpp"
#include "protocol/json/json_writer.hpp"
#include "protocol/lm/lm_check_answer.hpp"
#include "protocol/decision/sale_decision.hpp"

namespace piotd::protocol {

enum class TsPiotApiVersion : std::uint8_t { v1, v2, v3 };

struct TsPiotClientInfo {
    std::string name;
    std::string version;
    std::string id;
    std::string token;
};

struct TsPiotCodeEntry {
    std::string code;       // the decoded raw bytes of the КМ (GS as 0x1D)
    std::optional<int> pg;  // v3 product group, when given
};

struct TsPiotCheckRequest {
    RequestError error = RequestError::none;
    std::string detail;  // human-readable, names the offending entry
    std::vector<TsPiotCodeEntry> codes;
    std::optional<TsPiotClientInfo> client_info;
};

// Decodes a codes/check body. Every version accepts both entry shapes (a base64 string, or a v3
// {"cis":<base64>,"pg":<int>} object), as decode_cis_list does: the answer does not depend on it.
// Base64 that is not canonical, or decodes to more than kMaxCodeLength bytes, is invalid_field.
TsPiotCheckRequest decode_tspiot_check_request(std::string_view body, std::size_t max_codes);

// One code of a CodeResponse.
struct TsPiotCodeAnswer {
    // Online: the True API's code object (a parsed answer's raw_json), written out unchanged with
    // piotd's fields appended inside it; if it already has a member of one of piotd's names, it
    // is re-written without that member instead (no duplicate keys). Empty when offline.
    std::string_view upstream_json;
    // Offline: the local module's result, written in the True API shape as ESM does (cis, gtin,
    // printView, isBlocked, sold, mrp, smp; found/valid/verified/utilised/realizable false).
    const LmCodeResult* offline = nullptr;
    // piotd's verdict: adds "isSaleAllowed" and "reasons" when set.
    const SaleDecision* decision = nullptr;
    // The 1265 value for this code; adds "tag1260" when not empty.
    std::string_view industry_prop_value;
};

struct TsPiotCodeResponse {
    std::int64_t code = 0;
    std::string_view description = "ok";
    std::string_view req_id;
    std::int64_t req_timestamp_ms = 0;
    bool checked_offline = false;
    std::string_view inst;     // written only when checked_offline
    std::string_view version;  // written only when checked_offline
    std::span<const TsPiotCodeAnswer> codes;
};

// The whole codes/check answer (one CodeResponse per upstream check) in the version's shape.
void write_tspiot_check_answer(JsonWriter& writer, std::span<const TsPiotCodeResponse> responses,
                               TsPiotApiVersion api);

// HTTP 203 "аварийный режим" body: {"code":203,"message":…,"details":[…]}.
void write_tspiot_emergency(JsonWriter& writer, std::string_view message,
                            std::span<const std::string_view> details);

// {"isSaleAllowed":…,"reasons":[{"code","messageRu","messageEn","refuses"}],
//  "minPrice"?,"maxPrice"?} members (no braces): what piotd adds to a code object.
void write_sale_verdict_members(JsonWriter& writer, const SaleDecision& decision);

struct TsPiotLmInfo {
    std::string_view version;
    std::string_view status;  // not_configured | initialization | ready | sync_error
    std::string_view inst;
    std::int64_t last_sync_ms = 0;
};

struct TsPiotInfo {
    std::string_view tspiot_id;
    std::string_view kkt_serial;
    std::string_view fn_serial;
    std::string_view kkt_inn;
    std::uint32_t codes_check_timeout_ms = 0;
    std::optional<TsPiotLmInfo> lm;
};

// {"tspiotId","kktSerial","fnSerial","kktInn","codesCheckTimeout","lm":{…}} (same in every
// version).
void write_tspiot_info(JsonWriter& writer, const TsPiotInfo& info, TsPiotApiVersion api);

}  // namespace piotd::protocol
