#include "protocol/lm/lm_client_json.hpp"

#include <rapidjson/error/en.h>

#include <charconv>
#include <system_error>
#include <utility>

#include "protocol/json/upstream_json.hpp"

namespace piotd::protocol::lm_json {

unsigned nesting_depth(std::string_view body) {
    return json_nesting_depth(body, kMaxLmAnswerDepth);
}

bool load(std::string_view body, rapidjson::Document& document, LmAnswerError& error,
          std::string& detail) {
    if (nesting_depth(body) > kMaxLmAnswerDepth) {
        error = LmAnswerError::too_deep;
        detail = "answer is nested deeper than " + std::to_string(kMaxLmAnswerDepth) + " levels";
        return false;
    }
    document.Parse<kParseFlags>(json_data(body), body.size());
    if (document.HasParseError()) {
        error = LmAnswerError::invalid_json;
        detail = std::string("answer is not valid JSON: ") +
                 rapidjson::GetParseError_En(document.GetParseError()) + " at offset " +
                 std::to_string(document.GetErrorOffset());
        return false;
    }
    if (!document.IsObject()) {
        error = LmAnswerError::invalid_json;
        detail = "answer must be a JSON object";
        return false;
    }
    return true;
}

std::string_view root_object(std::string_view body) {
    const std::size_t begin = body.find('{');
    const std::size_t end = body.rfind('}');
    return body.substr(begin, end - begin + 1);
}

std::optional<std::int64_t> decimal(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::int64_t value = 0;
    const char* const end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || stop != end) return std::nullopt;
    return value;
}

std::optional<std::int64_t> integer_or_numeric_string(const Value& value) {
    if (value.IsInt64()) return value.GetInt64();
    if (value.IsString()) return decimal({value.GetString(), value.GetStringLength()});
    return std::nullopt;
}

std::string excerpt(std::string_view text) {
    constexpr std::size_t kMax = 200;
    if (text.size() <= kMax) return std::string(text);
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return std::string(text.substr(0, cut)) + "...";
}

Fields::Fields(const Value& object, std::string where)
    : object_(object), where_(std::move(where)) {}

const Value* Fields::find(const char* key) const {
    const auto member = object_.FindMember(key);
    if (member == object_.MemberEnd() || member->value.IsNull()) return nullptr;
    return &member->value;
}

void Fields::fail(const char* key, const char* expected) {
    if (detail_.empty()) detail_ = where_ + "." + key + " must be " + expected;
}

void Fields::text(const char* key, std::string& out) {
    if (const Value* v = find(key)) {
        if (v->IsString())
            out.assign(v->GetString(), v->GetStringLength());
        else
            fail(key, "a string");
    }
}

void Fields::boolean(const char* key, std::optional<bool>& out) {
    if (const Value* v = find(key)) {
        if (v->IsBool())
            out = v->GetBool();
        else
            fail(key, "a boolean");
    }
}

void Fields::flag(const char* key, std::optional<bool>& out) {
    const Value* v = find(key);
    if (v == nullptr) return;
    if (v->IsBool()) {
        out = v->GetBool();
        return;
    }
    const std::string_view text =
        v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : "";
    if (text == "true" || text == "false")
        out = text == "true";
    else
        fail(key, "a boolean or \"true\"/\"false\"");
}

void Fields::price(const char* key, std::optional<std::int64_t>& out) {
    if (const Value* v = find(key)) {
        if (v->IsInt64() && v->GetInt64() >= 0)
            out = v->GetInt64();
        else
            fail(key, "a non-negative integer");
    }
}

void Fields::timestamp(const char* key, std::optional<std::int64_t>& out) {
    if (const Value* v = find(key)) {
        const auto value = integer_or_numeric_string(*v);
        if (value && *value >= 0)
            out = value;
        else
            fail(key, "a non-negative integer (milliseconds)");
    }
}

}  // namespace piotd::protocol::lm_json
