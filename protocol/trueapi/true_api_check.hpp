// The True API permissive-mode check, POST {cdn host}/api/v4/true-api/codes/check (lm-api.md §6.4):
// the request body piotd sends and the answer it gets back, field for field.
//
// Request:  {"codes":["<full КМ, GS written as \u001d>"],"fiscalDriveNumber":"<ФН number>"}
// Answer:   {"code":0,"description":"ok","reqId":"<uuid>","reqTimestamp":<ms>,"codes":[{…}]}
//
// Every per-code field is optional: the True API omits fields that do not apply (and ESM writes
// null), and the sale rules (sale_decision.hpp) treat "absent" differently from "false". The raw
// text of each code object is kept so the daemon can pass the upstream's answer on byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace piotd::protocol {

// The request body. GS (0x1D) and every other control character is written as a lowercase
// \u00XX escape, as the CRPT documentation asks («символ GS … экранировать с помощью \u001d»).
// An empty fiscal_drive_number leaves the (optional) field out.
std::string build_true_api_check_body(std::span<const std::string_view> full_codes,
                                      std::string_view fiscal_drive_number);

// One element of "codes" in the answer (lm-api.md §6.4 table).
struct TrueApiCodeResult {
    std::string raw_json;  // the object exactly as received, from '{' to '}'

    std::optional<std::string> cis;
    std::optional<bool> valid;
    std::optional<std::string> print_view;
    std::optional<std::string> gtin;
    std::vector<int> group_ids;  // empty when absent
    std::optional<bool> verified;
    std::optional<bool> found;
    std::optional<bool> realizable;
    std::optional<bool> utilised;
    std::optional<bool> is_blocked;
    std::vector<std::string> ogvs;  // who blocked it: RAR, FTS, FNS, RSHN, RPN, MVD, RZN
    std::optional<bool> sold;
    std::optional<std::string> expire_date;      // as sent
    std::optional<std::int64_t> expire_date_ms;  // parsed; present whenever expire_date is
    std::optional<std::string> production_date;
    std::optional<std::int64_t> production_date_ms;
    std::optional<std::string> variable_expirations;  // raw JSON of the object (dairy)
    std::optional<std::int64_t> product_weight;       // grams
    std::optional<std::string> pr_vet_document;
    std::optional<bool> is_owner;
    std::optional<int> error_code;  // 0 none … 10 not found in ГИС МТ, 11 not found (transborder)
    std::optional<std::string> message;
    std::optional<bool> is_tracking;
    std::optional<std::string> elimination_state;  // BY_SAMPLES… or a number, as text
    std::optional<std::int64_t> mrp;               // kopecks
    std::optional<std::int64_t> smp;               // kopecks
    std::optional<bool> gray_zone;
    std::optional<std::int64_t> inner_unit_count;
    std::optional<std::int64_t> sold_unit_count;
    std::optional<std::string> package_type;  // UNIT, GROUP, …
    std::optional<std::string> parent;
    std::optional<std::string> producer_inn;
    std::optional<std::string> production_serial_number;
    std::optional<std::string> production_batch_number;
    std::optional<std::string> factory_serial_number;
    std::optional<std::int64_t> package_quantity;

    bool in_group(int group_id) const;
};

// The top level of the answer. A non-zero `code` is a well-formed answer that the caller turns
// into a fault (e.g. 5000 = transborder service down, lm-api.md §6.3).
struct TrueApiCheckAnswer {
    std::int64_t code = 0;
    std::string description;
    std::string req_id;
    std::int64_t req_timestamp_ms = 0;
    std::vector<TrueApiCodeResult> codes;
};

enum class TrueApiAnswerError : std::uint8_t {
    none,
    invalid_json,   // not JSON, trailing bytes, or not an object at the top
    missing_field,  // code, or (when code is 0) reqId, reqTimestamp or codes missing
    invalid_field,  // a field of the wrong type, a date that does not parse, a non-object code
    too_many_codes,
};

// Stable snake_case name of an error, e.g. "invalid_field".
std::string_view true_api_answer_error_name(TrueApiAnswerError error);

struct TrueApiCheckParse {
    TrueApiAnswerError error = TrueApiAnswerError::none;
    std::string detail;  // human-readable, names the offending field
    TrueApiCheckAnswer answer;
    explicit operator bool() const { return error == TrueApiAnswerError::none; }
};

// Largest number of code objects accepted in one answer (the request never asks for more).
inline constexpr std::size_t kMaxTrueApiAnswerCodes = 1000;

// Parses a codes/check answer body. Pure; never throws. JSON null counts as absent.
TrueApiCheckParse parse_true_api_check_answer(std::string_view body);

}  // namespace piotd::protocol
