#include "tests/fakes/fake_local_module_state.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <random>

#include "tests/fakes/fake_query.hpp"

namespace piotd::fakes {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr std::size_t kCheckedCodesKept = 10'000;
constexpr std::size_t kMaxSoldPage = 1000;  // the LM's cap on /cis/sold (lm-api.md §4)

// A hostile control body must not overflow the stack of a recursive parser.
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void put(Writer& writer, std::string_view text) {
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void key(Writer& writer, std::string_view name) {
    writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
}

std::string text_of(const rapidjson::StringBuffer& buffer) {
    return {buffer.GetString(), buffer.GetSize()};
}

std::string json_text(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    value.Accept(writer);
    return text_of(buffer);
}

std::string_view string_of(const rapidjson::Value& value) {
    return {value.GetString(), value.GetStringLength()};
}

LmAnswer ok_answer(std::string body) {
    return {200, std::move(body)};
}

LmAnswer bad_request(std::string_view description) {
    return {400, lm_error_body(400, description)};
}

// The GTIN the LM reports for a КИ: the 14 characters after AI 01, or (a pack code, anything
// else) the first 14. Not validated, like the real one (Appendix A: broken GTINs are answered).
std::string_view gtin_of(std::string_view cis) {
    if (cis.size() >= 16 && cis.starts_with("01")) return cis.substr(2, 14);
    return cis.substr(0, 14);
}

// A GTIN from a control body: EAN-13 and shorter numbers are padded to 14 digits, as the LM
// reports them; anything else is kept verbatim so a test can block what a broken code yields.
std::string gtin_item(std::string_view text) {
    const bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                     [](char c) { return c >= '0' && c <= '9'; });
    std::string out;
    if (digits && text.size() < 14) out.assign(14 - text.size(), '0');
    out += text;
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

// The non-empty lines of a control body.
std::vector<std::string_view> lines_of(std::string_view body) {
    std::vector<std::string_view> lines;
    while (!body.empty()) {
        const std::size_t end = body.find('\n');
        const std::string_view line = trim(body.substr(0, end));
        if (!line.empty()) lines.push_back(line);
        if (end == std::string_view::npos) break;
        body.remove_prefix(end + 1);
    }
    return lines;
}

template <class Number>
bool parse_number(std::string_view text, Number& out) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return !text.empty() && ec == std::errc{} && ptr == text.data() + text.size();
}

// {"cis_list":[…]} of the check and sale requests. Entries are strings, or (when `objects`)
// {"cis":"…", …} objects: v2's {"cis","pg"} and the relay's {"cis","soldUnitCount",…}.
struct CisList {
    std::vector<std::string> codes;
    std::string error;
};

CisList parse_cis_list(std::string_view body, bool objects, bool check_pg) {
    CisList list;
    rapidjson::Document json;
    json.Parse<kParseFlags>(body.data(), body.size());
    if (json.HasParseError() || !json.IsObject()) {
        list.error = "the body is not a JSON object";
        return list;
    }
    const auto field = json.FindMember("cis_list");
    if (field == json.MemberEnd()) {
        list.error = "cis_list is required";
        return list;
    }
    if (!field->value.IsArray() || field->value.Empty()) {
        list.error = "cis_list must be a non-empty array";
        return list;
    }
    for (const auto& entry : field->value.GetArray()) {
        const std::string where = "cis_list[" + std::to_string(list.codes.size()) + "]";
        if (entry.IsString()) {
            list.codes.emplace_back(string_of(entry));
            continue;
        }
        if (!objects || !entry.IsObject()) {
            list.error = where + " must be a string";
            return list;
        }
        const auto cis = entry.FindMember("cis");
        if (cis == entry.MemberEnd() || !cis->value.IsString()) {
            list.error = where + ".cis must be a string";
            return list;
        }
        const auto pg = entry.FindMember("pg");
        if (check_pg && pg != entry.MemberEnd() && !pg->value.IsInt() && !pg->value.IsNull()) {
            list.error = where + ".pg must be an integer";
            return list;
        }
        list.codes.emplace_back(string_of(cis->value));
    }
    return list;
}

constexpr std::string_view kEndpointNames[] = {"status", "init", "check", "sell",
                                               "return", "sold", "other"};

// Fault path classes of the brief: the sold-set API is one class ("sell").
constexpr unsigned endpoint_bit(LmEndpoint endpoint) {
    return 1U << static_cast<unsigned>(endpoint);
}
constexpr unsigned kSellPaths =
    endpoint_bit(LmEndpoint::sell) | endpoint_bit(LmEndpoint::ret) | endpoint_bit(LmEndpoint::sold);

std::optional<unsigned> parse_paths(std::string_view text) {
    unsigned bits = 0;
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view name = trim(text.substr(0, comma));
        if (name == "all") {
            return 0U;
        } else if (name == "check") {
            bits |= endpoint_bit(LmEndpoint::check);
        } else if (name == "status") {
            bits |= endpoint_bit(LmEndpoint::status);
        } else if (name == "sell") {
            bits |= kSellPaths;
        } else if (name == "init") {
            bits |= endpoint_bit(LmEndpoint::init);
        } else {
            return std::nullopt;
        }
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return bits;
}

std::string paths_name(unsigned bits) {
    if (bits == 0) return "all";
    std::string out;
    auto add = [&](std::string_view name) {
        if (!out.empty()) out += ',';
        out += name;
    };
    if (bits & endpoint_bit(LmEndpoint::check)) add("check");
    if (bits & endpoint_bit(LmEndpoint::status)) add("status");
    if (bits & kSellPaths) add("sell");
    if (bits & endpoint_bit(LmEndpoint::init)) add("init");
    return out;
}

constexpr std::string_view kFaultNames[] = {"none",    "slow",   "hang", "drop",
                                            "garbage", "status", "reset"};

std::optional<LmFaultMode> parse_fault_mode(std::string_view text) {
    for (std::size_t i = 0; i < std::size(kFaultNames); ++i) {
        if (kFaultNames[i] == text) return static_cast<LmFaultMode>(i);
    }
    return std::nullopt;
}

}  // namespace

std::string_view lm_status_name(LmStatus status) {
    switch (status) {
        case LmStatus::not_configured:
            return "not_configured";
        case LmStatus::initialization:
            return "initialization";
        case LmStatus::ready:
            return "ready";
        case LmStatus::sync_error:
            return "sync_error";
    }
    return "not_configured";
}

std::optional<LmStatus> parse_lm_status(std::string_view text) {
    for (const LmStatus status : {LmStatus::not_configured, LmStatus::initialization,
                                  LmStatus::ready, LmStatus::sync_error}) {
        if (lm_status_name(status) == text) return status;
    }
    return std::nullopt;
}

std::string lm_error_body(unsigned status, std::string_view description, int error_code) {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    key(writer, "code");
    writer.Uint(status);
    key(writer, "description");
    put(writer, description);
    if (error_code != 0) {
        key(writer, "errorCode");
        writer.Int(error_code);
    }
    writer.EndObject();
    return text_of(buffer);
}

std::string random_uuid_v4() {
    thread_local std::mt19937_64 random{std::random_device{}()};
    const std::uint64_t high = random();
    const std::uint64_t low = random();
    char text[37];
    std::snprintf(text, sizeof text, "%08llx-%04llx-4%03llx-%04llx-%012llx",
                  static_cast<unsigned long long>(high >> 32),
                  static_cast<unsigned long long>((high >> 16) & 0xffff),
                  static_cast<unsigned long long>(high & 0xfff),
                  static_cast<unsigned long long>(0x8000 | ((low >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(low & 0xffffffffffffULL));
    return text;
}

LmState::LmState(LmOptions options)
    : api_(options.api),
      init_ms_(options.init_ms),
      status_(options.status),
      version_(options.version),
      inst_(options.inst),
      db_version_(random_uuid_v4()),
      last_sync_(now_ms()),
      last_update_(last_sync_) {
    if (version_.empty()) version_ = api_ == 1 ? "1.5.1-523" : "2.5.1-2";
}

// ---- bookkeeping

void LmState::count_request(LmEndpoint endpoint) {
    requests_[static_cast<std::size_t>(endpoint)].fetch_add(1);
}

void LmState::record_client_id(std::string_view id) {
    std::lock_guard lock(mutex_);
    if (client_id_set_.emplace(id).second) client_ids_.emplace_back(id);
}

LmFault LmState::take_fault(LmEndpoint endpoint) {
    std::lock_guard lock(mutex_);
    if (fault_.mode == LmFaultMode::none || fault_.count == 0) return {};
    if (fault_.paths != 0 && (fault_.paths & endpoint_bit(endpoint)) == 0) return {};
    const LmFault taken = fault_;
    if (fault_.count > 0 && --fault_.count == 0) fault_ = LmFault{};
    faulted_.fetch_add(1);
    return taken;
}

// ---- LM API

void LmState::write_status_locked(std::string& out, std::int64_t now) const {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    key(writer, "name");
    put(writer, "regime");
    key(writer, "version");
    put(writer, version_);
    key(writer, "status");
    put(writer, lm_status_name(status_));
    key(writer, "operationMode");
    put(writer, operation_mode_);
    key(writer, "inst");
    put(writer, inst_);
    key(writer, "inn");
    put(writer, inn_);
    key(writer, "dbVersion");
    put(writer, db_version_);
    key(writer, "serviceUrl");
    put(writer, "https://rsapi.crpt.ru");
    key(writer, "lastSync");
    writer.Int64(last_sync_);
    key(writer, "lastUpdate");
    writer.Int64(last_update_);
    key(writer, "requiresDownload");
    writer.Bool(requires_download_);
    key(writer, "isGreyGtin");
    writer.Bool(is_grey_gtin_);
    if (api_ == 1) {
        // Counters the fake does not model are "unknown", as a real LM 1.x sends them.
        auto unknown = [&](std::string_view list) {
            key(writer, list);
            writer.StartObject();
            for (const std::string_view name : {"timeLag", "serverDocCount", "localDocCount"}) {
                key(writer, name);
                put(writer, "unknown");
            }
            writer.EndObject();
        };
        auto counted = [&](std::string_view list, std::size_t count) {
            key(writer, list);
            writer.StartObject();
            key(writer, "timeLag");
            writer.Int64(std::max<std::int64_t>(0, now - last_sync_));
            key(writer, "serverDocCount");
            writer.Uint64(count);
            key(writer, "localDocCount");
            writer.Uint64(count);
            writer.EndObject();
        };
        key(writer, "replicationStatus");
        writer.StartObject();
        unknown("cis");
        counted("blocked_gtin", blocked_gtin_.size());
        counted("blocked_cis", blocked_cis_.size());
        unknown("blocked_series");
        writer.EndObject();
    } else {
        auto counted = [&](std::string_view list, std::size_t count) {
            key(writer, list);
            writer.StartObject();
            key(writer, "docCount");
            writer.Uint64(count);
            writer.EndObject();
        };
        key(writer, "dbState");
        writer.StartObject();
        counted("min_price", min_price_.size());
        counted("blocked_gtin", blocked_gtin_.size());
        counted("blocked_cis", blocked_cis_.size());
        writer.EndObject();
    }
    writer.EndObject();
    out.assign(buffer.GetString(), buffer.GetSize());
}

LmAnswer LmState::status_answer() {
    LmAnswer answer;
    std::lock_guard lock(mutex_);
    write_status_locked(answer.body, now_ms());
    return answer;
}

void LmState::set_status_locked(LmStatus status) {
    status_ = status;
    ++status_generation_;
}

LmInitResult LmState::init(std::string_view body) {
    rapidjson::Document json;
    json.Parse<kParseFlags>(body.data(), body.size());
    if (json.HasParseError() || !json.IsObject())
        return {bad_request("the body is not JSON"), std::nullopt};
    const auto token = json.FindMember("token");
    if (token == json.MemberEnd() || !token->value.IsString() ||
        token->value.GetStringLength() == 0) {
        return {bad_request("token must be a non-empty string"), std::nullopt};
    }
    LmInitResult result{ok_answer(R"({"code":0,"description":"ok"})"), std::nullopt};
    std::lock_guard lock(mutex_);
    last_init_token_ = string_of(token->value);
    // A ready module stays ready; one that is not configured or lost its sync starts over.
    if (status_ == LmStatus::not_configured || status_ == LmStatus::sync_error) {
        set_status_locked(LmStatus::initialization);
    }
    if (status_ == LmStatus::initialization && init_ms_ > 0) {
        result.ready_generation = status_generation_;
    }
    return result;
}

void LmState::finish_init(std::uint64_t generation) {
    std::lock_guard lock(mutex_);
    if (generation != status_generation_ || status_ != LmStatus::initialization) return;
    set_status_locked(LmStatus::ready);
    last_sync_ = last_update_ = now_ms();  // the database has just been downloaded
}

LmCheckRequest LmState::read_check_get(std::string_view query) {
    LmCheckRequest request;
    const QueryValue cis = query_param(query, "cis");
    if (!cis.valid) {
        request.error = bad_request("cis is not percent-encoded");
    } else if (cis.value.empty()) {
        request.error = bad_request("cis is required");
    } else {
        request.codes.push_back(cis.value);
        record_checked(request.codes);
    }
    return request;
}

LmCheckRequest LmState::read_check_post(std::string_view body) {
    LmCheckRequest request;
    request.wrapped = true;
    CisList list = parse_cis_list(body, api_ == 2, true);
    if (!list.error.empty()) {
        request.error = bad_request(list.error);
    } else {
        request.codes = std::move(list.codes);
        record_checked(request.codes);
    }
    return request;
}

void LmState::record_checked(const std::vector<std::string>& codes) {
    std::lock_guard lock(mutex_);
    for (const std::string& cis : codes) {
        checked_codes_.push_back(cis);
        if (checked_codes_.size() > kCheckedCodesKept) checked_codes_.pop_front();
    }
}

LmAnswer LmState::check(const LmCheckRequest& request) {
    if (request.error) return *request.error;
    std::lock_guard lock(mutex_);
    if (status_ == LmStatus::not_configured || status_ == LmStatus::initialization) {
        return {400, lm_error_body(400,
                                   "the local module is not ready: status " +
                                       std::string(lm_status_name(status_)),
                                   4045)};
    }
    if (status_ == LmStatus::sync_error) {
        return {400, lm_error_body(400, "the local module is not ready: sync_error", 4050)};
    }
    std::string object = check_object_locked(request.codes);
    if (!request.wrapped) return ok_answer(std::move(object));
    return ok_answer(R"({"results":[)" + object + "]}");
}

std::string LmState::check_object_locked(const std::vector<std::string>& codes) const {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    key(writer, "code");
    writer.Int(0);
    key(writer, "description");
    put(writer, "ok");
    key(writer, "reqId");
    put(writer, random_uuid_v4());
    key(writer, "reqTimestamp");
    writer.Int64(now_ms());
    key(writer, "inst");
    put(writer, inst_);
    key(writer, "version");
    put(writer, version_);
    key(writer, "codes");
    writer.StartArray();
    for (const std::string& cis : codes) {
        const std::string_view gtin = gtin_of(cis);
        const auto extra = extras_.find(cis);
        const Extras* fields = extra == extras_.end() ? nullptr : &extra->second;
        // A control field named like a built-in one replaces it.
        auto built_in = [&](std::string_view name) {
            if (fields == nullptr) return true;
            return std::none_of(fields->begin(), fields->end(),
                                [&](const ExtraField& field) { return field.name == name; });
        };
        writer.StartObject();
        if (built_in("cis")) {
            key(writer, "cis");
            put(writer, cis);
        }
        if (built_in("gtin")) {
            key(writer, "gtin");
            put(writer, gtin);
        }
        if (built_in("printView")) {
            key(writer, "printView");
            put(writer, cis);
        }
        if (built_in("isBlocked")) {
            key(writer, "isBlocked");
            writer.Bool(blocked_cis_.contains(cis) || blocked_gtin_.contains(std::string(gtin)));
        }
        if (built_in("isGreyGtin")) {
            key(writer, "isGreyGtin");
            writer.Bool(false);
        }
        if (api_ == 2) {
            if (built_in("sold")) {
                key(writer, "sold");
                writer.Bool(sold_.contains(cis));
            }
            if (built_in("smp")) {
                const auto price = min_price_.find(std::string(gtin));
                key(writer, "smp");
                writer.Uint64(price == min_price_.end() ? 0 : price->second);
            }
        }
        if (fields != nullptr) {
            for (const ExtraField& field : *fields) {
                key(writer, field.name);
                writer.RawValue(field.json.data(), field.json.size(), rapidjson::kObjectType);
            }
        }
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return text_of(buffer);
}

LmAnswer LmState::sale(std::string_view body, bool sell) {
    // Also the relay's shape (protocol/lm/lm_sale.cpp): an "id" beside cis_list, and partial-sale
    // objects {"cis","soldUnitCount","innerUnitCount"}; a partial sale sells the whole code here.
    const CisList list = parse_cis_list(body, true, false);
    if (!list.error.empty()) return bad_request(list.error);
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    key(writer, "results");
    writer.StartArray();
    std::lock_guard lock(mutex_);
    for (const std::string& cis : list.codes) {
        if (sell) {
            sold_.insert(cis);
        } else {
            sold_.erase(cis);
        }
        writer.StartObject();
        key(writer, "success");
        writer.Bool(true);
        key(writer, "cis");
        put(writer, cis);
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return {sell ? 201U : 200U, text_of(buffer)};
}

LmAnswer LmState::sold(std::string_view query) {
    std::uint64_t skip = 0;
    std::uint64_t limit = kMaxSoldPage;
    if (query_param(query, "skip").present) {
        const auto given = query_u64(query, "skip");
        if (!given) return bad_request("skip must be an unsigned integer");
        skip = *given;
    }
    if (query_param(query, "limit").present) {
        const auto given = query_u64(query, "limit");
        if (!given) return bad_request("limit must be an unsigned integer");
        limit = std::min<std::uint64_t>(*given, kMaxSoldPage);
    }
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    std::lock_guard lock(mutex_);
    key(writer, "total_count");
    writer.Uint64(sold_.size());
    key(writer, "cis_list");
    writer.StartArray();
    auto it = sold_.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(skip, sold_.size())));
    for (std::uint64_t n = 0; n < limit && it != sold_.end(); ++n, ++it) put(writer, *it);
    writer.EndArray();
    writer.EndObject();
    return ok_answer(text_of(buffer));
}

// ---- control API

LmAnswer LmState::control(std::string_view action, bool post, std::string_view query,
                          std::string_view body) {
    const bool get = !post;
    if (action == "fault" && get) {
        std::lock_guard lock(mutex_);
        return fault_answer_locked();
    }
    if (action == "stats" && get) return stats_answer();
    const bool known = action == "block" || action == "unblock" || action == "min_price" ||
                       action == "code" || action == "status" || action == "fault" ||
                       action == "reset" || action == "stats/reset" || action == "stats";
    if (!known) return {404, lm_error_body(404, "no such control endpoint")};
    if (!post || action == "stats") return {405, lm_error_body(405, "method not allowed")};
    if (action == "block" || action == "unblock")
        return control_block(query, body, action == "block");
    if (action == "min_price") return control_min_price(body);
    if (action == "code") return control_code(body);
    if (action == "status") return control_status(body);
    if (action == "fault") return control_fault(body);
    if (action == "stats/reset") {
        reset_counters();
        return ok_answer(R"({"ok":true})");
    }
    // reset: counters, faults and the record of checked codes and clients; lists and status stay.
    reset_counters();
    std::lock_guard lock(mutex_);
    fault_ = LmFault{};
    checked_codes_.clear();
    client_ids_.clear();
    client_id_set_.clear();
    return ok_answer(R"({"ok":true})");
}

void LmState::lists_changed_locked() {
    db_version_ = random_uuid_v4();
    last_update_ = now_ms();
}

LmAnswer LmState::control_block(std::string_view query, std::string_view body, bool add) {
    const QueryValue kind = query_param(query, "kind");
    if (!kind.present || (kind.value != "cis" && kind.value != "gtin")) {
        return bad_request("kind must be cis or gtin");
    }
    const bool gtin = kind.value == "gtin";
    std::lock_guard lock(mutex_);
    auto& set = gtin ? blocked_gtin_ : blocked_cis_;
    std::size_t applied = 0;
    for (const std::string_view line : lines_of(body)) {
        std::string item = gtin ? gtin_item(line) : std::string(line);
        applied += add ? set.insert(std::move(item)).second : set.erase(item);
    }
    if (applied != 0) lists_changed_locked();
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    key(writer, "kind");
    put(writer, kind.value);
    key(writer, "applied");
    writer.Uint64(applied);
    key(writer, "docCount");
    writer.Uint64(set.size());
    key(writer, "dbVersion");
    put(writer, db_version_);
    writer.EndObject();
    return ok_answer(text_of(buffer));
}

LmAnswer LmState::control_min_price(std::string_view body) {
    std::vector<std::pair<std::string, std::uint64_t>> prices;
    std::size_t number = 0;
    for (const std::string_view line : lines_of(body)) {
        ++number;
        const std::size_t space = line.find_first_of(" \t");
        std::uint64_t kopecks = 0;
        const std::string_view gtin = line.substr(0, space);
        const bool ok =
            space != std::string_view::npos && gtin.size() <= 14 &&
            std::all_of(gtin.begin(), gtin.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
            parse_number(trim(line.substr(space + 1)), kopecks);
        if (!ok) {
            return bad_request("line " + std::to_string(number) + " is not \"GTIN14 kopecks\"");
        }
        prices.emplace_back(gtin_item(gtin), kopecks);
    }
    std::lock_guard lock(mutex_);
    for (auto& [gtin, kopecks] : prices) {
        if (kopecks == 0) {
            min_price_.erase(gtin);  // smp 0 is "no minimum price"
        } else {
            min_price_[gtin] = kopecks;
        }
    }
    if (!prices.empty()) lists_changed_locked();
    return ok_answer(R"({"applied":)" + std::to_string(prices.size()) + R"(,"docCount":)" +
                     std::to_string(min_price_.size()) + "}");
}

LmAnswer LmState::control_code(std::string_view body) {
    rapidjson::Document json;
    json.Parse<kParseFlags>(body.data(), body.size());
    if (json.HasParseError() || !json.IsObject()) return bad_request("the body is not JSON");
    const auto cis = json.FindMember("cis");
    const auto fields = json.FindMember("fields");
    if (cis == json.MemberEnd() || !cis->value.IsString()) {
        return bad_request("cis must be a string");
    }
    if (fields != json.MemberEnd() && !fields->value.IsObject() && !fields->value.IsNull()) {
        return bad_request("fields must be an object");
    }
    Extras extras;
    if (fields != json.MemberEnd() && fields->value.IsObject()) {
        for (const auto& member : fields->value.GetObject()) {
            ExtraField field{std::string(string_of(member.name)), json_text(member.value)};
            auto same = std::find_if(extras.begin(), extras.end(),
                                     [&](const ExtraField& e) { return e.name == field.name; });
            if (same != extras.end()) {
                *same = std::move(field);  // a repeated name: the last one wins
            } else {
                extras.push_back(std::move(field));
            }
        }
    }
    std::lock_guard lock(mutex_);
    const std::string code(string_of(cis->value));
    if (extras.empty()) {
        extras_.erase(code);
    } else {
        extras_[code] = std::move(extras);
    }
    return ok_answer(R"({"ok":true,"codes":)" + std::to_string(extras_.size()) + "}");
}

LmAnswer LmState::control_status(std::string_view body) {
    rapidjson::Document json;
    json.Parse<kParseFlags>(body.data(), body.size());
    if (json.HasParseError() || !json.IsObject()) return bad_request("the body is not JSON");
    // Checked in full before anything changes, so a bad request leaves the state as it was.
    std::optional<LmStatus> status;
    for (const auto& member : json.GetObject()) {
        const std::string_view name = string_of(member.name);
        const auto& value = member.value;
        if (name == "status") {
            if (value.IsString()) status = parse_lm_status(string_of(value));
            if (!status)
                return bad_request("status: not_configured|initialization|ready|sync_error");
        } else if (name == "lastSync" || name == "lastUpdate") {
            if (!value.IsInt64()) return bad_request(std::string(name) + " must be epoch ms");
        } else if (name == "operationMode" || name == "inst" || name == "version" ||
                   name == "inn") {
            if (!value.IsString()) return bad_request(std::string(name) + " must be a string");
        } else if (name == "requiresDownload" || name == "isGreyGtin") {
            if (!value.IsBool()) return bad_request(std::string(name) + " must be a boolean");
        } else {
            return bad_request("unknown field " + std::string(name));
        }
    }
    std::lock_guard lock(mutex_);
    for (const auto& member : json.GetObject()) {
        const std::string_view name = string_of(member.name);
        const auto& value = member.value;
        if (name == "status") {
            set_status_locked(*status);
        } else if (name == "lastSync") {
            last_sync_ = value.GetInt64();
        } else if (name == "lastUpdate") {
            last_update_ = value.GetInt64();
        } else if (name == "operationMode") {
            operation_mode_ = string_of(value);
        } else if (name == "inst") {
            inst_ = string_of(value);
        } else if (name == "version") {
            version_ = string_of(value);
        } else if (name == "inn") {
            inn_ = string_of(value);
        } else if (name == "requiresDownload") {
            requires_download_ = value.GetBool();
        } else if (name == "isGreyGtin") {
            is_grey_gtin_ = value.GetBool();
        }
    }
    LmAnswer answer;
    write_status_locked(answer.body, now_ms());
    return answer;
}

LmAnswer LmState::control_fault(std::string_view body) {
    rapidjson::Document json;
    json.Parse<kParseFlags>(body.data(), body.size());
    if (json.HasParseError() || !json.IsObject()) return bad_request("the body is not JSON");
    LmFault fault;
    for (const auto& member : json.GetObject()) {
        const std::string_view name = string_of(member.name);
        const auto& value = member.value;
        if (name == "mode") {
            const auto mode = value.IsString() ? parse_fault_mode(string_of(value)) : std::nullopt;
            if (!mode) return bad_request("mode: none|slow|hang|drop|garbage|status|reset");
            fault.mode = *mode;
        } else if (name == "delay_ms") {
            if (!value.IsUint() || value.GetUint() > 3'600'000)
                return bad_request("delay_ms must be 0..3600000");
            fault.delay_ms = value.GetUint();
        } else if (name == "status") {
            if (!value.IsUint() || value.GetUint() < 200 || value.GetUint() > 599)
                return bad_request("status must be an HTTP status of 200..599");
            fault.status = value.GetUint();
        } else if (name == "count") {
            if (!value.IsInt64() || value.GetInt64() < -1)
                return bad_request("count must be -1 or more");
            fault.count = value.GetInt64();
        } else if (name == "paths") {
            const auto paths = value.IsString() ? parse_paths(string_of(value)) : std::nullopt;
            if (!paths) return bad_request("paths: check|status|sell|init|all, or a comma list");
            fault.paths = *paths;
        } else {
            return bad_request("unknown field " + std::string(name));
        }
    }
    std::lock_guard lock(mutex_);
    fault_ = fault.count == 0 ? LmFault{} : fault;
    return fault_answer_locked();
}

LmAnswer LmState::fault_answer_locked() const {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    key(writer, "mode");
    put(writer, kFaultNames[static_cast<std::size_t>(fault_.mode)]);
    key(writer, "delay_ms");
    writer.Uint(fault_.delay_ms);
    key(writer, "status");
    writer.Uint(fault_.status);
    key(writer, "count");
    writer.Int64(fault_.count);
    key(writer, "paths");
    put(writer, paths_name(fault_.paths));
    writer.EndObject();
    return ok_answer(text_of(buffer));
}

LmAnswer LmState::stats_answer() {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    key(writer, "requests");
    writer.StartObject();
    for (std::size_t i = 0; i < std::size(kEndpointNames); ++i) {
        key(writer, kEndpointNames[i]);
        writer.Uint64(requests_[i].load());
    }
    writer.EndObject();
    key(writer, "unauthorized");
    writer.Uint64(unauthorized_.load());
    key(writer, "faulted");
    writer.Uint64(faulted_.load());
    key(writer, "connections");
    writer.Uint64(connections_.load());
    std::lock_guard lock(mutex_);
    key(writer, "checkedCodes");
    writer.StartArray();
    for (const std::string& cis : checked_codes_) put(writer, cis);
    writer.EndArray();
    key(writer, "clientIds");
    writer.StartArray();
    for (const std::string& id : client_ids_) put(writer, id);
    writer.EndArray();
    key(writer, "sold");
    writer.StartArray();
    for (const std::string& cis : sold_) put(writer, cis);
    writer.EndArray();
    key(writer, "lastInitToken");
    put(writer, last_init_token_);
    writer.EndObject();
    return ok_answer(text_of(buffer));
}

void LmState::reset_counters() {
    for (auto& counter : requests_) counter.store(0);
    unauthorized_.store(0);
    faulted_.store(0);
    connections_.store(0);
}

}  // namespace piotd::fakes
