#include "protocol/trueapi/true_api_check.hpp"

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <utility>

#include "protocol/text/iso_datetime.hpp"
#include "protocol/json/json_writer.hpp"
#include "protocol/json/upstream_json.hpp"

namespace piotd::protocol {

namespace {

void append_json_string(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : text) {
        const auto b = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (b < 0x20 || b == 0x7F) {
            out.append("\\u00");
            out.push_back(kHex[b >> 4]);
            out.push_back(kHex[b & 0x0F]);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

}  // namespace

std::string build_true_api_check_body(std::span<const std::string_view> full_codes,
                                      std::string_view fiscal_drive_number) {
    std::string body;
    std::size_t size = 48 + fiscal_drive_number.size();
    for (const std::string_view code : full_codes) size += code.size() + 16;
    body.reserve(size);
    body.append("{\"codes\":[");
    for (std::size_t i = 0; i < full_codes.size(); ++i) {
        if (i != 0) body.push_back(',');
        append_json_string(body, full_codes[i]);
    }
    body.push_back(']');
    if (!fiscal_drive_number.empty()) {
        body.append(",\"fiscalDriveNumber\":");
        append_json_string(body, fiscal_drive_number);
    }
    body.push_back('}');
    return body;
}

bool TrueApiCodeResult::in_group(int group_id) const {
    return std::find(group_ids.begin(), group_ids.end(), group_id) != group_ids.end();
}

std::string_view true_api_answer_error_name(TrueApiAnswerError error) {
    switch (error) {
        case TrueApiAnswerError::none:
            return "none";
        case TrueApiAnswerError::invalid_json:
            return "invalid_json";
        case TrueApiAnswerError::missing_field:
            return "missing_field";
        case TrueApiAnswerError::invalid_field:
            return "invalid_field";
        case TrueApiAnswerError::too_many_codes:
            return "too_many_codes";
    }
    return "unknown";
}

namespace {

using Value = rapidjson::Value;
using Stream = rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream>;
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag;

TrueApiCheckParse failure(TrueApiAnswerError error, std::string detail) {
    TrueApiCheckParse parse;
    parse.error = error;
    parse.detail = std::move(detail);
    return parse;
}

// Where each element of the top-level "codes" array starts and ends in the body. The DOM keeps
// no source positions, so a second, SAX pass over the same bytes finds them.
class CodeSpans : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, CodeSpans> {
public:
    CodeSpans(std::string_view body, const Stream& stream) : body_(body), stream_(stream) {}

    std::vector<std::pair<std::size_t, std::size_t>> spans;

    bool Default() {
        codes_value_next_ = false;
        return true;
    }
    bool Key(const char* text, rapidjson::SizeType length, bool) {
        codes_value_next_ =
            depth_ == 1 && !codes_seen_ && std::string_view(text, length) == "codes";
        return true;
    }
    bool StartArray() {
        if (codes_value_next_) {
            codes_seen_ = true;
            codes_depth_ = depth_ + 1;
        }
        codes_value_next_ = false;
        ++depth_;
        return true;
    }
    bool EndArray(rapidjson::SizeType) {
        if (depth_ == codes_depth_) codes_depth_ = 0;
        --depth_;
        return true;
    }
    bool StartObject() {
        codes_value_next_ = false;
        if (codes_depth_ != 0 && depth_ == codes_depth_) {
            // The iterative parser reports before consuming '{', the recursive one after.
            std::size_t at = stream_.Tell();
            if (at >= body_.size() || body_[at] != '{') --at;
            start_ = at;
        }
        ++depth_;
        return true;
    }
    bool EndObject(rapidjson::SizeType) {
        --depth_;
        if (codes_depth_ != 0 && depth_ == codes_depth_) {
            std::size_t at = stream_.Tell();
            if (at < body_.size() && body_[at] == '}') ++at;
            spans.emplace_back(start_, at);
        }
        return true;
    }

private:
    std::string_view body_;
    const Stream& stream_;
    int depth_ = 0;
    int codes_depth_ = 0;  // depth inside the codes array, 0 when not in it
    bool codes_value_next_ = false;
    bool codes_seen_ = false;
    std::size_t start_ = 0;
};

// Reads the optional members of one object, recording the first type error.
class Fields {
public:
    Fields(const Value& object, std::string where) : object_(object), where_(std::move(where)) {}

    bool failed() const { return !detail_.empty(); }
    std::string take_detail() { return std::move(detail_); }

    const Value* find(const char* key) const {
        const auto member = object_.FindMember(key);
        if (member == object_.MemberEnd() || member->value.IsNull()) return nullptr;
        return &member->value;
    }
    void fail(const char* key, const char* expected) {
        if (detail_.empty()) detail_ = where_ + "." + key + " must be " + expected;
    }

    void boolean(const char* key, std::optional<bool>& out) {
        if (const Value* v = find(key)) {
            if (v->IsBool())
                out = v->GetBool();
            else
                fail(key, "a boolean");
        }
    }
    void text(const char* key, std::optional<std::string>& out) {
        if (const Value* v = find(key)) {
            if (v->IsString())
                out.emplace(v->GetString(), v->GetStringLength());
            else
                fail(key, "a string");
        }
    }
    void integer(const char* key, std::optional<std::int64_t>& out) {
        if (const Value* v = find(key)) {
            if (v->IsInt64())
                out = v->GetInt64();
            else
                fail(key, "an integer");
        }
    }
    void small_integer(const char* key, std::optional<int>& out) {
        if (const Value* v = find(key)) {
            if (v->IsInt())
                out = v->GetInt();
            else
                fail(key, "an integer");
        }
    }
    void date(const char* key, std::optional<std::string>& text_out,
              std::optional<std::int64_t>& ms_out) {
        text(key, text_out);
        if (!text_out) return;
        ms_out = parse_iso_datetime_ms(*text_out);
        if (!ms_out) fail(key, "an ISO-8601 date-time");
    }
    void integer_list(const char* key, std::vector<int>& out) {
        const Value* v = find(key);
        if (v == nullptr) return;
        if (!v->IsArray()) return fail(key, "an array of integers");
        for (const Value& item : v->GetArray()) {
            if (!item.IsInt()) return fail(key, "an array of integers");
            out.push_back(item.GetInt());
        }
    }
    void text_list(const char* key, std::vector<std::string>& out) {
        const Value* v = find(key);
        if (v == nullptr) return;
        if (!v->IsArray()) return fail(key, "an array of strings");
        for (const Value& item : v->GetArray()) {
            if (!item.IsString()) return fail(key, "an array of strings");
            out.emplace_back(item.GetString(), item.GetStringLength());
        }
    }
    // A string or a number, kept as text (eliminationState is either, by source).
    void text_or_number(const char* key, std::optional<std::string>& out) {
        const Value* v = find(key);
        if (v == nullptr) return;
        if (v->IsString())
            out.emplace(v->GetString(), v->GetStringLength());
        else if (v->IsInt64())
            out = std::to_string(v->GetInt64());
        else
            fail(key, "a string or an integer");
    }

private:
    const Value& object_;
    std::string where_;
    std::string detail_;
};

bool read_code(const Value& object, std::string where, TrueApiCodeResult& out,
               std::string& detail) {
    Fields f(object, std::move(where));
    f.text("cis", out.cis);
    f.boolean("valid", out.valid);
    f.text("printView", out.print_view);
    f.text("gtin", out.gtin);
    f.integer_list("groupIds", out.group_ids);
    f.boolean("verified", out.verified);
    f.boolean("found", out.found);
    f.boolean("realizable", out.realizable);
    f.boolean("utilised", out.utilised);
    f.boolean("isBlocked", out.is_blocked);
    f.text_list("ogvs", out.ogvs);
    f.boolean("sold", out.sold);
    f.date("expireDate", out.expire_date, out.expire_date_ms);
    f.date("productionDate", out.production_date, out.production_date_ms);
    if (const Value* v = f.find("variableExpirations")) {
        if (v->IsObject() || v->IsArray()) {
            JsonBuffer buffer;
            JsonWriter writer(buffer);
            v->Accept(writer);
            out.variable_expirations.emplace(buffer.GetString(), buffer.GetSize());
        } else {
            f.fail("variableExpirations", "an object");
        }
    }
    f.integer("productWeight", out.product_weight);
    f.text("prVetDocument", out.pr_vet_document);
    f.boolean("isOwner", out.is_owner);
    f.small_integer("errorCode", out.error_code);
    f.text("message", out.message);
    f.boolean("isTracking", out.is_tracking);
    f.text_or_number("eliminationState", out.elimination_state);
    f.integer("mrp", out.mrp);
    f.integer("smp", out.smp);
    f.boolean("grayZone", out.gray_zone);
    f.integer("innerUnitCount", out.inner_unit_count);
    f.integer("soldUnitCount", out.sold_unit_count);
    f.text("packageType", out.package_type);
    f.text("parent", out.parent);
    f.text("producerInn", out.producer_inn);
    f.text("productionSerialNumber", out.production_serial_number);
    f.text("productionBatchNumber", out.production_batch_number);
    f.text("factorySerialNumber", out.factory_serial_number);
    f.integer("packageQuantity", out.package_quantity);
    if (f.failed()) {
        detail = f.take_detail();
        return false;
    }
    return true;
}

}  // namespace

TrueApiCheckParse parse_true_api_check_answer(std::string_view body) {
    if (json_nesting_depth(body) > kMaxUpstreamJsonDepth) {
        return failure(
            TrueApiAnswerError::invalid_json,
            "answer is nested deeper than " + std::to_string(kMaxUpstreamJsonDepth) + " levels");
    }
    rapidjson::Document document;
    // Iterative parsing: deep nesting from a hostile upstream cannot overflow the stack.
    document.Parse<kParseFlags>(json_data(body), body.size());
    if (document.HasParseError()) {
        return failure(TrueApiAnswerError::invalid_json,
                       std::string("answer is not valid JSON: ") +
                           rapidjson::GetParseError_En(document.GetParseError()) + " at offset " +
                           std::to_string(document.GetErrorOffset()));
    }
    if (!document.IsObject()) {
        return failure(TrueApiAnswerError::invalid_json, "answer must be a JSON object");
    }

    TrueApiCheckParse parse;
    TrueApiCheckAnswer& answer = parse.answer;
    Fields top(document, "answer");
    const Value* code = top.find("code");
    if (code == nullptr)
        return failure(TrueApiAnswerError::missing_field, "answer.code is missing");
    if (!code->IsInt64()) {
        return failure(TrueApiAnswerError::invalid_field, "answer.code must be an integer");
    }
    answer.code = code->GetInt64();
    std::optional<std::string> description;
    std::optional<std::string> req_id;
    std::optional<std::int64_t> req_timestamp;
    top.text("description", description);
    top.text("reqId", req_id);
    top.integer("reqTimestamp", req_timestamp);
    if (top.failed()) return failure(TrueApiAnswerError::invalid_field, top.take_detail());
    answer.description = description.value_or("");
    answer.req_id = req_id.value_or("");
    answer.req_timestamp_ms = req_timestamp.value_or(0);

    const Value* codes = top.find("codes");
    if (answer.code == 0) {
        if (!req_id || req_id->empty()) {
            return failure(TrueApiAnswerError::missing_field, "answer.reqId is missing");
        }
        if (!req_timestamp) {
            return failure(TrueApiAnswerError::missing_field, "answer.reqTimestamp is missing");
        }
        if (codes == nullptr) {
            return failure(TrueApiAnswerError::missing_field, "answer.codes is missing");
        }
    }
    if (codes == nullptr) return parse;
    if (!codes->IsArray()) {
        return failure(TrueApiAnswerError::invalid_field, "answer.codes must be an array");
    }
    if (codes->Size() > kMaxTrueApiAnswerCodes) {
        return failure(TrueApiAnswerError::too_many_codes,
                       "answer.codes has " + std::to_string(codes->Size()) + " entries; at most " +
                           std::to_string(kMaxTrueApiAnswerCodes) + " are accepted");
    }

    // Second pass for the byte ranges of the code objects (same flags, same bytes: same result).
    rapidjson::MemoryStream memory(body.data(), body.size());
    Stream stream(memory);
    CodeSpans spans(body, stream);
    rapidjson::Reader reader;
    reader.Parse<kParseFlags>(stream, spans);

    answer.codes.resize(codes->Size());
    for (rapidjson::SizeType i = 0; i < codes->Size(); ++i) {
        const Value& item = (*codes)[i];
        const std::string where = "answer.codes[" + std::to_string(i) + "]";
        if (!item.IsObject()) {
            return failure(TrueApiAnswerError::invalid_field, where + " must be an object");
        }
        TrueApiCodeResult& result = answer.codes[i];
        std::string detail;
        if (!read_code(item, where, result, detail)) {
            return failure(TrueApiAnswerError::invalid_field, std::move(detail));
        }
        if (i < spans.spans.size()) {
            const auto [begin, end] = spans.spans[i];
            result.raw_json.assign(body.substr(begin, end - begin));
        }
    }
    return parse;
}

}  // namespace piotd::protocol
