// libFuzzer target: what a real local module answers piotd when piotd is its client
// (protocol::parse_lm_check_answer, protocol::parse_lm_status). The LM's bytes come from the
// network and are as hostile as a POS's.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "protocol/lm/lm_client_answer.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
}

// `part` is an object taken from `body` as it is: '{' … '}', and a substring of it.
void check_raw(std::string_view body, std::string_view part, const char* what) {
    if (part.size() < 2 || part.front() != '{' || part.back() != '}') fail(what);
    if (body.find(part) == std::string_view::npos) fail(what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace piotd::protocol;
    const std::string_view body(reinterpret_cast<const char*>(data), size);

    const LmClientCheckParse check = parse_lm_check_answer(body);
    if (lm_answer_error_name(check.error) == "unknown") fail("check error name");
    if (check.answer.codes.size() > kMaxLmAnswerCodes) fail("more than kMaxLmAnswerCodes codes");
    if (check) {
        if (!check.detail.empty() || check.error_code != 0) fail("ok with a detail or error code");
        if (check.answer.code != 0 || check.answer.req_id.empty()) fail("ok without identity");
        if (check.answer.req_timestamp_ms < 0) fail("negative reqTimestamp");
        check_raw(body, check.answer.raw_json, "answer raw_json");
        for (const LmClientCode& code : check.answer.codes) {
            check_raw(body, code.raw_json, "code raw_json");
            if ((code.mrp && *code.mrp < 0) || (code.smp && *code.smp < 0)) fail("negative price");
        }
    } else {
        if (check.detail.empty()) fail("check error without a detail");
        const bool lm = check.error == LmAnswerError::not_ready ||
                        check.error == LmAnswerError::out_of_sync ||
                        check.error == LmAnswerError::lm_error;
        if (lm != (check.error_code != 0)) fail("error_code set exactly for LM errors");
        if (check.error == LmAnswerError::not_ready && check.error_code != 4045) fail("4045");
        if (check.error == LmAnswerError::out_of_sync && check.error_code != 4050) fail("4050");
        if (lm) check_raw(body, check.answer.raw_json, "error raw_json");
    }

    const LmClientStatusParse status = parse_lm_status(body);
    if (lm_answer_error_name(status.error) == "unknown") fail("status error name");
    if (status) {
        if (!status.detail.empty()) fail("status ok with a detail");
        check_raw(body, status.status.raw_json, "status raw_json");
        if (status.status.last_sync_ms && *status.status.last_sync_ms < 0) fail("lastSync");
        if (status.status.last_update_ms && *status.status.last_update_ms < 0) fail("lastUpdate");
    } else if (status.detail.empty()) {
        fail("status error without a detail");
    }
    // Depth is judged the same way by both parsers.
    if ((check.error == LmAnswerError::too_deep) != (status.error == LmAnswerError::too_deep))
        fail("too_deep disagrees");
    return 0;
}
