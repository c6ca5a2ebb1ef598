#include "daemon/lm/lm_front_check.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <memory>

#include "daemon/http/json_response.hpp"
#include "daemon/lm/check_handler.hpp"
#include "daemon/lm/readiness.hpp"
#include "daemon/log.hpp"
#include "storage/storage_error.hpp"

namespace piotd::daemon {

namespace {

// Which codes piotd's own lists block (only while they are loaded and ready).
std::vector<bool> own_blocks(const LocalModule& module, const std::vector<FrontCheckCode>& codes) {
    std::vector<bool> blocked(codes.size(), false);
    if (module.status() != protocol::LmStatus::ready) return blocked;
    try {
        for (std::size_t i = 0; i < codes.size(); ++i) {
            blocked[i] = lookup_code(module, codes[i].code, Learned::ignored).is_blocked;
        }
    } catch (const storage::StorageError& e) {
        log_error("lm", std::string("local lists unavailable: ") + e.what());
    }
    return blocked;
}

// The LM's answer object, with piotd's own blocks written into the codes they concern. Nothing
// to add (the usual case): the object byte for byte.
std::string merged_answer(const LmCheck& lm, const std::vector<FrontCheckCode>& codes,
                          const std::vector<bool>& blocked) {
    std::vector<std::string_view> extra;
    for (std::size_t i = 0; i < codes.size(); ++i) {
        if (blocked[i]) extra.push_back(codes[i].code.ki());
    }
    const std::string& raw = lm.answer.raw_json;
    if (extra.empty()) return raw;
    rapidjson::Document document;
    document.Parse<rapidjson::kParseIterativeFlag>(raw.data(), raw.size());
    if (document.HasParseError() || !document.IsObject()) return raw;  // parsed once already
    auto codes_member = document.FindMember("codes");
    if (codes_member == document.MemberEnd() || !codes_member->value.IsArray()) return raw;
    auto& allocator = document.GetAllocator();
    for (auto& code : codes_member->value.GetArray()) {
        if (!code.IsObject()) continue;
        const auto cis = code.FindMember("cis");
        if (cis == code.MemberEnd() || !cis->value.IsString()) continue;
        const std::string_view value(cis->value.GetString(), cis->value.GetStringLength());
        bool ours = false;
        for (const std::string_view ki : extra) ours = ours || ki == value;
        if (!ours) continue;
        const auto is_blocked = code.FindMember("isBlocked");
        if (is_blocked != code.MemberEnd() && is_blocked->value.IsBool() &&
            is_blocked->value.GetBool()) {
            continue;  // the LM blocks it too
        }
        if (is_blocked != code.MemberEnd()) {
            is_blocked->value.SetBool(true);
        } else {
            code.AddMember("isBlocked", true, allocator);
        }
        code.AddMember("blockedBy", "own_list", allocator);
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    document.Accept(writer);
    return {buffer.GetString(), buffer.GetSize()};
}

void report(const LocalModule& module, const std::vector<FrontCheckCode>& codes,
            const std::vector<bool>& blocked, const LmCheck& lm) {
    CheckObserver* observer = module.check_observer();
    if (observer == nullptr) return;
    std::vector<CheckEvent> events(codes.size());
    const auto duration = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(lm.elapsed).count());
    for (std::size_t i = 0; i < codes.size(); ++i) {
        bool lm_blocked = false;
        for (const auto& answer : lm.answer.codes) {
            if (answer.cis == codes[i].code.ki()) lm_blocked = answer.is_blocked.value_or(false);
        }
        events[i] =
            CheckEvent{"lm",
                       codes[i].code.ki(),
                       lm_blocked || blocked[i] ? CheckVerdict::blocked : CheckVerdict::not_blocked,
                       duration,
                       module.now_ms(),
                       duration};
    }
    observer->on_checks(events);
}

}  // namespace

Reply front_check(const LocalModule& module, LmClient& lm, std::vector<FrontCheckCode> codes,
                  bool wrapped, std::function<Reply()> own_answer,
                  std::function<void(std::vector<std::string>)> learn) {
    auto shared = std::make_shared<std::vector<FrontCheckCode>>(std::move(codes));
    return Reply::later([&module, &lm, shared, wrapped, own_answer = std::move(own_answer),
                         learn = std::move(learn)](ReplyCompletion complete) {
        std::vector<LmCheckCode> asked;
        asked.reserve(shared->size());
        for (const FrontCheckCode& code : *shared) {
            asked.push_back({std::string(code.code.ki()), code.product_group});
        }
        lm.check(complete.executor(), std::move(asked),
                 std::chrono::steady_clock::time_point::max(),
                 [&module, shared, wrapped, own_answer, learn, complete](LmCheck result) {
                     if (!result.ok) {
                         // piotd's own answer, or its not-ready error (4045/4050).
                         if (auto not_ready = readiness_error(module)) {
                             return complete(std::move(*not_ready));
                         }
                         Reply own = own_answer();
                         complete(std::move(own.response));
                         if (own.after_sent != nullptr) own.after_sent();
                         return;
                     }
                     const std::vector<bool> blocked = own_blocks(module, *shared);
                     std::string body = merged_answer(result, *shared, blocked);
                     if (wrapped) body = "{\"results\":[" + body + "]}";
                     report(module, *shared, blocked, result);
                     if (learn) {
                         std::vector<std::string> kis;
                         for (const auto& code : result.answer.codes) {
                             if (code.is_blocked.value_or(false)) kis.push_back(code.cis);
                         }
                         if (!kis.empty()) learn(std::move(kis));
                     }
                     complete(json_response(http::status::ok, std::move(body)));
                 });
    });
}

}  // namespace piotd::daemon
