// libFuzzer target: the outCheck request body (protocol::decode_cis_list) and every decoded code
// through protocol::parse_marking_code, as the handler does.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "protocol/lm/cis_list_request.hpp"
#include "protocol/codes/marking_code.hpp"

namespace {

constexpr std::size_t kMaxCodes = 10'000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace piotd::protocol;
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const CisListRequest request = decode_cis_list(body, kMaxCodes);
    if (request.error != RequestError::none) return 0;
    if (request.entries.empty() || request.entries.size() > kMaxCodes) {
        std::fprintf(stderr, "decode_cis_list accepted %zu entries\n", request.entries.size());
        std::abort();
    }
    for (const CisListEntry& entry : request.entries) {
        for (const InputChannel channel : {InputChannel::text, InputChannel::serial}) {
            const auto result = parse_marking_code(entry.cis, channel);
            if (result && result.code.full().size() > kMaxCodeLength) {
                std::fprintf(stderr, "full() longer than kMaxCodeLength\n");
                std::abort();
            }
        }
    }
    return 0;
}
