// What a real local module (ЛМ ЧЗ) answers piotd when piotd is its client (lm-api.md §3.2–3.6,
// §4, §9 E1–E4, Appendix A): the check answer of /api/v1|v2/cis/outCheck (and the deprecated
// cis/check) and the /api/v1|v2/status answer. protocol/lm/lm_check_answer.hpp and
// lm_status_answer.hpp write the same shapes when piotd is the server.
//
// The bytes come from the network and are treated as hostile: documents nested deeper than
// kMaxLmAnswerDepth are refused before a DOM is built, parsing is iterative (no recursion),
// nothing throws. Keys may come in any order; unknown keys are ignored (and kept in raw_json);
// JSON null counts as absent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace piotd::protocol {

// One code of an LM check answer as the LM sent it.
struct LmClientCode {
    std::string raw_json;  // the object exactly as received, '{'..'}'
    std::string cis;       // empty when absent
    std::string gtin;
    std::string print_view;
    std::optional<bool> is_blocked;
    std::optional<bool> is_grey_gtin;
    std::optional<bool> sold;         // LM 2.x
    std::optional<std::int64_t> mrp;  // kopecks, LM 2.x; never negative
    std::optional<std::int64_t> smp;  // kopecks, LM 2.x; never negative
};

struct LmClientCheckAnswer {
    std::int64_t code = 0;  // 0 = ok
    std::string description;
    std::string req_id;                 // never empty when code == 0
    std::int64_t req_timestamp_ms = 0;  // present when code == 0 (a number or a numeric string)
    std::string inst;                   // empty when absent
    std::string version;                // may be absent (LM 1.x GET answers): empty
    std::vector<LmClientCode> codes;    // the codes of every result, in order
    // The answer object exactly as received: the whole body's object for the flat shape,
    // results[0] for the wrapper (the object that carried errorCode for an error body).
    std::string raw_json;
};

enum class LmAnswerError : std::uint8_t {
    none,
    invalid_json,    // not JSON, trailing bytes, or not an object at the top
    too_deep,        // nested deeper than kMaxLmAnswerDepth
    missing_field,   // code, status, or (when code is 0) reqId, reqTimestamp, codes; empty results
    invalid_field,   // a field of the wrong type, a negative price or timestamp
    too_many_codes,  // more than kMaxLmAnswerCodes codes in all results together
    not_ready,       // errorCode 4045: the LM is not_configured or in initialization
    out_of_sync,     // errorCode 4050: the LM is in sync_error (72 h without a sync)
    lm_error,        // any other non-zero errorCode, or code != 0
};

// Stable snake_case name of an error, e.g. "out_of_sync".
std::string_view lm_answer_error_name(LmAnswerError error);

struct LmClientCheckParse {
    LmAnswerError error = LmAnswerError::none;
    std::string detail;           // human-readable, names the offending field
    std::int64_t error_code = 0;  // not_ready, out_of_sync, lm_error: errorCode, else code
    // Complete when error is none. After not_ready, out_of_sync or lm_error: code, description
    // and raw_json of the object that carried the error, as far as they were readable.
    LmClientCheckAnswer answer;
    explicit operator bool() const { return error == LmAnswerError::none; }
};

inline constexpr std::size_t kMaxLmAnswerCodes = 1000;
inline constexpr unsigned kMaxLmAnswerDepth = 32;  // nesting accepted in any LM answer

// Accepts the flat shape {"code","description","reqId","reqTimestamp","inst","version",
// "codes":[…]} and the wrapper {"results":[flat,…]} (the codes of every result concatenated, the
// identity (reqId, reqTimestamp, inst, version, description) from the first result; every
// result must itself be a valid answer with code 0). A non-zero "errorCode" (an integer or a
// numeric string, at the top or in a result; e.g. HTTP 400 {"errorCode":4045,…}) gives
// not_ready / out_of_sync / lm_error with error_code set. Pure, never throws.
LmClientCheckParse parse_lm_check_answer(std::string_view body);

// One replicated list of the status: replicationStatus.<name> (v1) or dbState.<name> (v2).
// Counters are numbers or numeric strings ("123"); "unknown", any other string, or absent →
// nullopt (they never make the status invalid).
struct LmListCounts {
    std::string name;  // cis, blocked_gtin, blocked_cis, blocked_series, min_price, …
    std::optional<std::int64_t> time_lag_ms;
    std::optional<std::int64_t> server_doc_count;
    std::optional<std::int64_t> local_doc_count;
    std::optional<std::int64_t> doc_count;  // v2 dbState
};

struct LmClientStatus {
    // As sent: not_configured, initialization, ready, sync_error (unknown values kept verbatim).
    std::string status;
    std::string name;  // every string below is empty when absent
    std::string version;
    std::string inst;
    std::string inn;
    std::string db_version;
    std::string service_url;
    std::string operation_mode;                  // active, service
    std::optional<std::int64_t> last_sync_ms;    // a number or a numeric string; never negative
    std::optional<std::int64_t> last_update_ms;  // likewise
    // A boolean or the string "true"/"false" (lalexs75 declares requiresDownload a string).
    std::optional<bool> requires_download;
    std::optional<bool> is_grey_gtin;
    // replicationStatus (v1) and dbState (v2; its members, or those of dbState.databases as the
    // ESM controller nests them), in the order received. Members that are not objects are not
    // lists and are skipped.
    std::vector<LmListCounts> lists;
    std::string raw_json;  // the status object exactly as received
};

struct LmClientStatusParse {
    LmAnswerError error = LmAnswerError::none;
    std::string detail;
    LmClientStatus status;
    explicit operator bool() const { return error == LmAnswerError::none; }
};

// Requires "status" (a string); everything else is optional. A field of the wrong type is
// invalid_field naming the field, except the string-or-number counters. Pure, never throws.
LmClientStatusParse parse_lm_status(std::string_view body);

}  // namespace piotd::protocol
