#include "protocol/lm/lm_client_answer.hpp"

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <iterator>
#include <utility>

#include "protocol/lm/lm_client_json.hpp"

namespace piotd::protocol {

std::string_view lm_answer_error_name(LmAnswerError error) {
    // In the order of the enumerators.
    static constexpr std::string_view kNames[] = {
        "none",           "invalid_json", "too_deep",    "missing_field", "invalid_field",
        "too_many_codes", "not_ready",    "out_of_sync", "lm_error"};
    const auto index = static_cast<std::size_t>(error);
    return index < std::size(kNames) ? kNames[index] : "unknown";
}

namespace {

using lm_json::excerpt;
using lm_json::Fields;
using lm_json::integer_or_numeric_string;
using lm_json::kParseFlags;
using lm_json::Value;
using Stream = rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream>;

// Where the objects piotd keeps byte for byte start and end in the body: the elements of the
// first "results" array of the top object, the code objects of the first "codes" array of each
// of them, and those of the top object's own "codes" (the flat shape). Which of the two shapes
// the answer has is only known at its end (keys come in any order), so both are recorded. The
// DOM keeps no source positions, hence this second, SAX pass over the same bytes. Every element
// of those arrays gets an entry, object or not, so entry i is element i.
struct Span {
    std::size_t begin = 0;
    std::size_t end = 0;
};
struct ResultSpans {
    Span object;
    std::vector<Span> codes;
};

class AnswerSpans : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, AnswerSpans> {
public:
    AnswerSpans(std::string_view body, const Stream& stream) : body_(body), stream_(stream) {}

    std::vector<Span> root_codes;
    std::vector<ResultSpans> results;

    bool Default() {
        begin_value(false, false);
        return true;
    }
    bool Key(const char* text, rapidjson::SizeType length, bool) {
        Frame& frame = frames_.back();
        const std::string_view key(text, length);
        frame.next = Role::other;
        if (frame.role != Role::root && frame.role != Role::result) return true;
        if (key == "codes" && !frame.codes_seen) {
            frame.codes_seen = true;
            frame.next = frame.role == Role::root ? Role::root_codes : Role::result_codes;
        } else if (key == "results" && frame.role == Role::root && !frame.results_seen) {
            frame.results_seen = true;
            frame.next = Role::results;
        }
        return true;
    }
    bool StartArray() {
        frames_.emplace_back(begin_value(false, true));
        return true;
    }
    bool EndArray(rapidjson::SizeType) {
        frames_.pop_back();
        return true;
    }
    bool StartObject() {
        const Role role = begin_value(true, false);
        if (kept(role)) {
            // The iterative parser reports before consuming '{', the recursive one after.
            std::size_t at = stream_.Tell();
            if (at >= body_.size() || body_[at] != '{') --at;
            span_of(role).begin = at;
        }
        frames_.emplace_back(role);
        return true;
    }
    bool EndObject(rapidjson::SizeType) {
        const Role role = frames_.back().role;
        frames_.pop_back();
        if (kept(role)) {
            std::size_t at = stream_.Tell();
            if (at < body_.size() && body_[at] == '}') ++at;
            span_of(role).end = at;
        }
        return true;
    }

private:
    enum class Role : std::uint8_t {
        other,
        root,
        results,       // the top object's "results" array
        result,        // an object in it
        root_codes,    // the top object's "codes" array
        result_codes,  // a result's "codes" array
        root_code,     // an object in root_codes
        result_code,   // an object in result_codes
    };
    struct Frame {
        explicit Frame(Role r) : role(r) {}
        Role role;
        Role next = Role::other;  // the role of the value after the last key
        bool codes_seen = false;
        bool results_seen = false;
    };

    static bool kept(Role role) {
        return role == Role::result || role == Role::root_code || role == Role::result_code;
    }
    Span& span_of(Role role) {
        if (role == Role::root_code) return root_codes.back();
        if (role == Role::result_code) return results.back().codes.back();
        return results.back().object;
    }

    // The role of a value that starts now, adding an entry when it is an element piotd keeps.
    Role begin_value(bool is_object, bool is_array) {
        if (frames_.empty()) return is_object ? Role::root : Role::other;
        Frame& parent = frames_.back();
        switch (parent.role) {
            case Role::root:
            case Role::result: {
                const Role role = parent.next;
                parent.next = Role::other;
                return is_array ? role : Role::other;
            }
            case Role::results:
                results.emplace_back();
                return is_object ? Role::result : Role::other;
            case Role::root_codes:
                root_codes.emplace_back();
                return is_object ? Role::root_code : Role::other;
            case Role::result_codes:
                results.back().codes.emplace_back();
                return is_object ? Role::result_code : Role::other;
            default:
                return Role::other;
        }
    }

    std::string_view body_;
    const Stream& stream_;
    std::vector<Frame> frames_;
};

bool fail(LmClientCheckParse& parse, LmAnswerError error, std::string detail) {
    parse.error = error;
    parse.detail = std::move(detail);
    return false;
}

bool read_code(const Value& object, std::string where, LmClientCode& out, std::string& detail) {
    Fields f(object, std::move(where));
    f.text("cis", out.cis);
    f.text("gtin", out.gtin);
    f.text("printView", out.print_view);
    f.boolean("isBlocked", out.is_blocked);
    f.boolean("isGreyGtin", out.is_grey_gtin);
    f.boolean("sold", out.sold);
    f.price("mrp", out.mrp);
    f.price("smp", out.smp);
    if (!f.failed()) return true;
    detail = f.take_detail();
    return false;
}

// A non-zero errorCode in `object` ends the parse as not_ready, out_of_sync or lm_error (true).
bool error_body(Fields& f, std::string_view raw, LmClientCheckParse& parse) {
    const Value* value = f.find("errorCode");
    if (value == nullptr) return false;
    const auto error_code = integer_or_numeric_string(*value);
    if (!error_code) {
        fail(parse, LmAnswerError::invalid_field, f.where() + ".errorCode must be an integer");
        return true;
    }
    if (*error_code == 0) return false;
    const LmAnswerError error = *error_code == 4045   ? LmAnswerError::not_ready
                                : *error_code == 4050 ? LmAnswerError::out_of_sync
                                                      : LmAnswerError::lm_error;
    std::string description;
    f.text("description", description);
    if (const Value* code = f.find("code"); code != nullptr && code->IsInt64())
        parse.answer.code = code->GetInt64();
    parse.answer.description = description;
    parse.answer.raw_json.assign(raw);
    parse.error_code = *error_code;
    fail(parse, error,
         f.where() + ": the local module answered errorCode " + std::to_string(*error_code) +
             (description.empty() ? "" : ": " + excerpt(description)));
    return true;
}

// One flat answer object (the whole answer, or one element of "results"). The first one gives
// the answer its identity; the codes of every one are appended.
bool read_answer(const Value& object, std::string where, std::string_view body,
                 std::string_view raw, const std::vector<Span>* spans, bool first,
                 LmClientCheckParse& parse) {
    LmClientCheckAnswer& answer = parse.answer;
    Fields f(object, std::move(where));
    if (error_body(f, raw, parse)) return false;
    const Value* code = f.find("code");
    if (code == nullptr)
        return fail(parse, LmAnswerError::missing_field, f.where() + ".code is missing");
    if (!code->IsInt64())
        return fail(parse, LmAnswerError::invalid_field, f.where() + ".code must be an integer");
    std::string description, req_id, inst, version;
    std::optional<std::int64_t> req_timestamp;
    f.text("description", description);
    f.text("reqId", req_id);
    f.timestamp("reqTimestamp", req_timestamp);
    f.text("inst", inst);
    f.text("version", version);
    if (f.failed()) return fail(parse, LmAnswerError::invalid_field, f.take_detail());
    if (code->GetInt64() != 0) {
        answer.code = code->GetInt64();
        answer.description = description;
        answer.raw_json.assign(raw);
        parse.error_code = code->GetInt64();
        return fail(parse, LmAnswerError::lm_error,
                    f.where() + ": the local module answered code " +
                        std::to_string(code->GetInt64()) +
                        (description.empty() ? "" : ": " + excerpt(description)));
    }
    if (req_id.empty())
        return fail(parse, LmAnswerError::missing_field, f.where() + ".reqId is missing");
    if (!req_timestamp)
        return fail(parse, LmAnswerError::missing_field, f.where() + ".reqTimestamp is missing");
    const Value* codes = f.find("codes");
    if (codes == nullptr)
        return fail(parse, LmAnswerError::missing_field, f.where() + ".codes is missing");
    if (!codes->IsArray())
        return fail(parse, LmAnswerError::invalid_field, f.where() + ".codes must be an array");
    const std::size_t total = answer.codes.size() + codes->Size();
    if (total > kMaxLmAnswerCodes) {
        return fail(parse, LmAnswerError::too_many_codes,
                    "the answer has at least " + std::to_string(total) + " codes; at most " +
                        std::to_string(kMaxLmAnswerCodes) + " are accepted");
    }
    if (first) {
        answer.code = 0;
        answer.description = std::move(description);
        answer.req_id = std::move(req_id);
        answer.req_timestamp_ms = *req_timestamp;
        answer.inst = std::move(inst);
        answer.version = std::move(version);
        answer.raw_json.assign(raw);
    }
    answer.codes.reserve(total);
    for (rapidjson::SizeType i = 0; i < codes->Size(); ++i) {
        const Value& item = (*codes)[i];
        std::string item_where = f.where() + ".codes[" + std::to_string(i) + "]";
        if (!item.IsObject())
            return fail(parse, LmAnswerError::invalid_field, item_where + " must be an object");
        LmClientCode& result = answer.codes.emplace_back();
        std::string detail;
        if (!read_code(item, std::move(item_where), result, detail))
            return fail(parse, LmAnswerError::invalid_field, std::move(detail));
        if (spans != nullptr && i < spans->size()) {
            const Span span = (*spans)[i];
            result.raw_json.assign(body.substr(span.begin, span.end - span.begin));
        }
    }
    return true;
}

// The counters of one list: numbers or numeric strings; anything else is "not known".
std::optional<std::int64_t> counter(const Value& entry, const char* key) {
    const auto member = entry.FindMember(key);
    if (member == entry.MemberEnd()) return std::nullopt;
    return integer_or_numeric_string(member->value);
}

void append_lists(const Value& object, std::vector<LmListCounts>& lists, bool nested_databases) {
    for (const auto& member : object.GetObject()) {
        if (!member.value.IsObject()) continue;  // not a list
        const std::string_view name(member.name.GetString(), member.name.GetStringLength());
        if (nested_databases && name == "databases") {
            append_lists(member.value, lists, false);  // one level only: dbState.databases.{…}
            continue;
        }
        LmListCounts& list = lists.emplace_back();
        list.name.assign(name);
        list.time_lag_ms = counter(member.value, "timeLag");
        list.server_doc_count = counter(member.value, "serverDocCount");
        list.local_doc_count = counter(member.value, "localDocCount");
        list.doc_count = counter(member.value, "docCount");
    }
}

}  // namespace

LmClientCheckParse parse_lm_check_answer(std::string_view body) {
    LmClientCheckParse parse;
    rapidjson::Document document;
    if (!lm_json::load(body, document, parse.error, parse.detail)) return parse;

    // Second pass for the byte ranges (same flags, same bytes: the same structure).
    rapidjson::MemoryStream memory(json_data(body), body.size());
    Stream stream(memory);
    AnswerSpans spans(body, stream);
    rapidjson::Reader reader;
    reader.Parse<kParseFlags>(stream, spans);

    const std::string_view root = lm_json::root_object(body);
    Fields top(document, "answer");
    const Value* results = top.find("results");
    if (results == nullptr) {
        read_answer(document, "answer", body, root, &spans.root_codes, true, parse);
        return parse;
    }
    if (error_body(top, root, parse)) return parse;
    if (!results->IsArray()) {
        fail(parse, LmAnswerError::invalid_field, "answer.results must be an array");
        return parse;
    }
    if (results->Empty()) {
        fail(parse, LmAnswerError::missing_field, "answer.results is empty");
        return parse;
    }
    for (rapidjson::SizeType k = 0; k < results->Size(); ++k) {
        std::string where = "answer.results[" + std::to_string(k) + "]";
        if (!(*results)[k].IsObject()) {
            fail(parse, LmAnswerError::invalid_field, where + " must be an object");
            return parse;
        }
        const ResultSpans* result = k < spans.results.size() ? &spans.results[k] : nullptr;
        std::string_view raw;
        if (result != nullptr)
            raw = body.substr(result->object.begin, result->object.end - result->object.begin);
        if (!read_answer((*results)[k], std::move(where), body, raw,
                         result != nullptr ? &result->codes : nullptr, k == 0, parse)) {
            return parse;
        }
    }
    return parse;
}

LmClientStatusParse parse_lm_status(std::string_view body) {
    LmClientStatusParse parse;
    rapidjson::Document document;
    if (!lm_json::load(body, document, parse.error, parse.detail)) return parse;
    LmClientStatus& s = parse.status;
    s.raw_json.assign(lm_json::root_object(body));

    Fields f(document, "status");
    const Value* status = f.find("status");
    if (status == nullptr) {
        parse.error = LmAnswerError::missing_field;
        parse.detail = "status.status is missing";
        return parse;
    }
    f.text("status", s.status);
    f.text("name", s.name);
    f.text("version", s.version);
    f.text("inst", s.inst);
    f.text("inn", s.inn);
    f.text("dbVersion", s.db_version);
    f.text("serviceUrl", s.service_url);
    f.text("operationMode", s.operation_mode);
    f.timestamp("lastSync", s.last_sync_ms);
    f.timestamp("lastUpdate", s.last_update_ms);
    f.flag("requiresDownload", s.requires_download);
    f.flag("isGreyGtin", s.is_grey_gtin);
    // The lists, in the order the two members come (the first of each name, as find() reads).
    bool replication_seen = false;
    bool db_state_seen = false;
    const Value& root = document;  // const members: no ambiguous C++20 iterator comparison
    for (const auto& member : root.GetObject()) {
        const std::string_view name(member.name.GetString(), member.name.GetStringLength());
        const bool replication = name == "replicationStatus" && !replication_seen;
        const bool db_state = name == "dbState" && !db_state_seen;
        if (!replication && !db_state) continue;
        (replication ? replication_seen : db_state_seen) = true;
        if (member.value.IsNull()) continue;
        if (!member.value.IsObject()) {
            f.fail(replication ? "replicationStatus" : "dbState", "an object");
            continue;
        }
        append_lists(member.value, s.lists, db_state);
    }
    if (f.failed()) {
        parse.error = LmAnswerError::invalid_field;
        parse.detail = f.take_detail();
    }
    return parse;
}

}  // namespace piotd::protocol
