// libFuzzer target: a True API codes/check answer (protocol::parse_true_api_check_answer) and, for
// every code object it accepts, the sale decision (protocol::decide_online) as the check chain
// runs it; and the document relay's True API answers (true_api_document.hpp): upstream bytes are
// as hostile as a POS's.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "protocol/decision/sale_decision.hpp"
#include "protocol/trueapi/true_api_check.hpp"
#include "protocol/trueapi/true_api_document.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace piotd::protocol;
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    // The document relay's answers from the True API are upstream bytes too.
    (void)parse_created_id(body);
    (void)parse_document_info(body);
    (void)true_api_error_text(body);
    const TrueApiCheckParse parsed = parse_true_api_check_answer(body);
    if (!parsed) return 0;
    if (parsed.answer.codes.size() > kMaxTrueApiAnswerCodes) {
        std::fprintf(stderr, "parser accepted %zu codes\n", parsed.answer.codes.size());
        std::abort();
    }
    SaleContext context;
    context.price_kopecks = 10'000;
    context.now_ms = 1'763'900'000'000;
    for (const TrueApiCodeResult& result : parsed.answer.codes) {
        const SaleDecision decision = decide_online(result, context);
        // A verdict and its reasons never disagree: refused exactly when a reason refuses.
        bool refused = false;
        for (const Reason* reason : decision.reasons()) refused = refused || reason->refuses;
        if (decision.allowed == refused) {
            std::fprintf(stderr, "allowed=%d with refusing reasons=%d\n", decision.allowed,
                         refused);
            std::abort();
        }
    }
    return 0;
}
