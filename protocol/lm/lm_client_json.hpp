// The JSON reading shared by the two parsers of protocol/lm/lm_client_answer.hpp (what a real local
// module answers piotd): the guard against deep nesting, loading with the iterative parser, and
// typed reading of optional members. Internal to those parsers; not a general JSON API.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/lm/lm_client_answer.hpp"
#include "protocol/json/upstream_json.hpp"

namespace piotd::protocol::lm_json {

using Value = rapidjson::Value;
// Iterative: the parser keeps its stack on the heap, so no input can overflow the thread's.
// UTF-8 validated: the LM's strings go on into piotd's own answers (tag 1265, /api/v1/status),
// which must stay valid JSON.
inline constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

// json_nesting_depth (upstream_json.hpp) with kMaxLmAnswerDepth: run before any parsing, so a
// hostile answer never gets as far as a DOM.
unsigned nesting_depth(std::string_view body);

// Parses `body` into `document`. Too deep (too_deep), not JSON or not an object at the top
// (invalid_json): false, with `error` and `detail` set.
bool load(std::string_view body, rapidjson::Document& document, LmAnswerError& error,
          std::string& detail);

// The top-level object of a body that load() accepted: only whitespace (and a UTF-8 BOM, which
// RapidJSON skips) can surround it, so it runs from the first '{' to the last '}'.
std::string_view root_object(std::string_view body);

// "123", "-5": the whole text one int64, else nothing (no sign '+', no spaces).
std::optional<std::int64_t> decimal(std::string_view text);

// An int64 number, or a string holding one.
std::optional<std::int64_t> integer_or_numeric_string(const Value& value);

// At most 200 bytes of a text the LM sent, cut at a UTF-8 character boundary, for a detail.
std::string excerpt(std::string_view text);

// Reads the optional members of one object (JSON null = absent), recording the first type error
// as "<where>.<key> must be …".
class Fields {
public:
    Fields(const Value& object, std::string where);

    bool failed() const { return !detail_.empty(); }
    std::string take_detail() { return std::move(detail_); }
    const std::string& where() const { return where_; }

    const Value* find(const char* key) const;  // nullptr when absent or null
    void fail(const char* key, const char* expected);

    void text(const char* key, std::string& out);
    void boolean(const char* key, std::optional<bool>& out);
    // A boolean, or the string "true" / "false".
    void flag(const char* key, std::optional<bool>& out);
    // Kopecks: a non-negative int64 number.
    void price(const char* key, std::optional<std::int64_t>& out);
    // Epoch milliseconds: a non-negative int64, as a number or a numeric string.
    void timestamp(const char* key, std::optional<std::int64_t>& out);

private:
    const Value& object_;
    std::string where_;
    std::string detail_;
};

}  // namespace piotd::protocol::lm_json
